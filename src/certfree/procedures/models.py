"""Tables of the procedures domain."""
