"""Authentication at the edge: SigV4 verification and the bootstrap admin credentials."""
