"""Database URLs for a test or a group of tests (e.g. one module) that no other test uses.

On SQLite (the default) a file in the given directory; on PostgreSQL, when
``CERTFREE_DATABASE_URL`` points at one, a schema or a database of its own, dropped afterwards.

* ``fresh_database_url`` — an empty database, for what must run the migrations itself;
* ``migrated_database_url`` — a database at the newest revision, copied from a template that
  is migrated once per test process (a SQLite file copy; on PostgreSQL ``CREATE DATABASE …
  TEMPLATE``, which takes milliseconds where the migrations take a quarter of a second). The
  role needs CREATEDB there. Each pytest-xdist worker is its own process, with its own template.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from psycopg.errors import InsufficientPrivilege
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from certfree.storage import Database, migrate


def configured_postgresql() -> str | None:
    """The PostgreSQL URL the tests run on, or None for SQLite."""
    configured = os.environ.get("CERTFREE_DATABASE_URL", "")
    if not configured.startswith("postgresql"):
        return None
    return configured.replace("postgresql://", "postgresql+psycopg://", 1)


@cache
def _admin(configured: str) -> Engine:
    """An engine on the configured database, outside transactions (CREATE DATABASE needs it)."""
    engine = create_engine(configured, isolation_level="AUTOCOMMIT", pool_size=1)
    atexit.register(engine.dispose)
    return engine


def _execute(configured: str, statement: str) -> None:
    with _admin(configured).connect() as connection:
        connection.execute(text(statement))


@contextmanager
def fresh_database_url(directory: Path, name: str = "node.db") -> Iterator[str]:
    """Yield the URL of an empty database; drop it (PostgreSQL schema) afterwards."""
    configured = configured_postgresql()
    if configured is None:
        yield f"sqlite:///{directory / name}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    _execute(configured, f'CREATE SCHEMA "{schema}"')
    url = make_url(configured).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        _execute(configured, f'DROP SCHEMA "{schema}" CASCADE')


def _migrate(url: str) -> None:
    database = Database(url)
    try:
        migrate.upgrade(database)
        if database.dialect == "sqlite":  # everything into the main file, which is copied
            with database.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        database.dispose()


@cache
def _sqlite_template() -> Path:
    directory = Path(tempfile.mkdtemp(prefix="certfree-template-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    path = directory / "template.db"
    _migrate(f"sqlite:///{path}")
    return path


@cache
def _postgresql_template(configured: str) -> str:
    name = f"t_template_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    _execute(configured, f'CREATE DATABASE "{name}"')
    atexit.register(_execute, configured, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _migrate(make_url(configured).set(database=name).render_as_string(hide_password=False))
    return name


@contextmanager
def migrated_database_url(directory: Path, name: str = "node.db") -> Iterator[str]:
    """Yield the URL of a database at the newest revision; drop it (PostgreSQL) afterwards."""
    configured = configured_postgresql()
    if configured is None:
        path = directory / name
        shutil.copyfile(_sqlite_template(), path)
        yield f"sqlite:///{path}"
        return
    template = _postgresql_template(configured)
    database = f"t_{uuid.uuid4().hex[:12]}"
    _execute(configured, f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
    try:
        yield make_url(configured).set(database=database).render_as_string(hide_password=False)
    finally:
        _drop(configured, database)


def _drop(configured: str, database: str) -> None:
    """DROP DATABASE … WITH (FORCE): a node process a test started may still hold a
    connection. An autovacuum worker that just started on the new database runs as the
    superuser, which this role may not terminate; it is done within moments, so try again."""
    for attempt in range(20):
        try:
            _execute(configured, f'DROP DATABASE "{database}" WITH (FORCE)')
            return
        except DBAPIError as exc:
            if not isinstance(exc.orig, InsufficientPrivilege) or attempt == 19:
                raise
            time.sleep(0.25)
