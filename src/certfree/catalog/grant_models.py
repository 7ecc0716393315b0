"""Tables of this domain (filled in by its developer)."""

from certfree.storage import Base

__all__ = ["Base"]
