"""Storage: one declarative ``Base``, portable column types, engine and session factory.

Every table of every domain hangs off :class:`Base` so that one Alembic history covers them;
types here behave the same on SQLite and PostgreSQL.
"""

from certfree.storage.base import Base, UTCDateTime, enum_by_value, utcnow
from certfree.storage.engine import Database, make_engine

__all__ = ["Base", "Database", "UTCDateTime", "enum_by_value", "make_engine", "utcnow"]
