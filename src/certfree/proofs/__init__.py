"""proofs domain (issue 3; in progress)."""
