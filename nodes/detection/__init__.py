"""Detection: listings screened for infringement and counterfeit leads, reviewed by people."""
