"""Tables of the proofs domain."""
