"""The national node's witness: cosigns regional checkpoints, records split views."""
