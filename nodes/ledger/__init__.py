"""The node's ledger: the one seam domains record through (``node.node_ledger``) and
its embedded backend, a transparency log stored in the node's database."""
