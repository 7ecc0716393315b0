"""Data-sharing exchange over the 1+16+N cascade: signed node messages, routing, questions."""
