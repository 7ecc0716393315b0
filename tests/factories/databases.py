"""A database URL for a group of tests (e.g. one module) that no other test uses.

Same rule as the ``database_url`` fixture in ``tests/conftest.py``: a fresh PostgreSQL schema
when ``CERTFREE_DATABASE_URL`` points at PostgreSQL, else a SQLite file in ``directory``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def fresh_database_url(directory: Path, name: str = "node.db") -> Iterator[str]:
    """Yield the URL of an empty database; drop it (PostgreSQL schema) afterwards."""
    configured = os.environ.get("CERTFREE_DATABASE_URL", "")
    if not configured.startswith("postgresql"):
        yield f"sqlite:///{directory / name}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(configured.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(configured).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
