"""Tables of the commitments domain."""
