"""Bulk loading: rows encoded where they are generated, written on one connection.

The ORM costs tens of microseconds a row; a million citizens need a few. Rows are plain tuples
in storage form (enums by value, dates as ISO 8601 strings, booleans as ``bool``), encoded in
chunks for the fastest path each database offers:

* SQLite — a chunk is one JSON array bound to a single parameter and unpacked by SQLite's
  JSON1 (``json_each``/``json_extract``) in C. Binding row by row through ``executemany``
  costs more in Python than the insert costs in SQLite.
* PostgreSQL (psycopg 3) — a chunk is ``COPY … FROM STDIN`` text (PostgreSQL docs, COPY,
  "Text Format": tab-separated, ``\\N`` for NULL, backslash escapes).
* any other dialect — a chunk is the rows themselves, written with Core ``insert()``.

Encoding happens in the generator (possibly another process); the writer only ships strings.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal

from sqlalchemy import Connection, insert
from sqlalchemy.engine import Dialect

from certfree.storage import Base, Database

__all__ = ["Encoding", "Payload", "Row", "bulk_connection", "encode_rows", "encoding_for", "write"]

Row = tuple[object, ...]
Payload = str | list[Row]
Encoding = Literal["json", "copy", "rows"]

_CHUNK = {"json": 20_000, "copy": 50_000, "rows": 10_000}
# A 256 MiB page cache keeps the tables being filled in memory during the load.
_SQLITE_CACHE_KIB = 262_144
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def encoding_for(dialect: Dialect) -> Encoding:
    """The chunk encoding that :func:`write` expects for ``dialect``."""
    if dialect.name == "sqlite":
        return "json"
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        return "copy"
    return "rows"


def encode_rows(encoding: Encoding, rows: Sequence[Row]) -> list[Payload]:
    """``rows`` split into chunks and encoded for :func:`write`."""
    size = _CHUNK[encoding]
    chunks = [rows[start : start + size] for start in range(0, len(rows), size)]
    if encoding == "json":
        encode = json.JSONEncoder(
            ensure_ascii=False, separators=(",", ":"), check_circular=False
        ).encode
        return [encode(chunk) for chunk in chunks]
    if encoding == "copy":
        return ["".join(map(_copy_line, chunk)) for chunk in chunks]
    return [list(chunk) for chunk in chunks]


def _copy_value(value: object) -> str:
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    return str(value).translate(_COPY_ESCAPES)


def _copy_line(row: Row) -> str:
    return "\t".join(map(_copy_value, row)) + "\n"


def write(connection: Connection, table: str, columns: Sequence[str], payload: Payload) -> None:
    """Insert one encoded chunk (from :func:`encode_rows`) into ``table``'s ``columns``."""
    quote = connection.dialect.identifier_preparer.quote
    name, names = quote(table), ", ".join(quote(c) for c in columns)
    if isinstance(payload, list):
        target = Base.metadata.tables[table]
        connection.execute(insert(target), [dict(zip(columns, r, strict=True)) for r in payload])
        return
    cursor: Any = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        if connection.dialect.name == "sqlite":
            values = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(columns)))
            sql = f"INSERT INTO {name} ({names}) SELECT {values} FROM json_each(?)"  # noqa: S608 - quoted identifiers; the data is bound
            cursor.execute(sql, (payload,))
        else:
            with cursor.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
                copy.write(payload)
    finally:
        cursor.close()


@contextmanager
def bulk_connection(db: Database, tables: Sequence[str]) -> Iterator[Connection]:
    """One connection in one transaction for a bulk load; commits when the block succeeds.

    On SQLite the explicitly created indexes of ``tables`` are dropped for the load and rebuilt
    from their stored definitions before the commit (one sort per index instead of millions of
    random B-tree inserts), and foreign-key enforcement is off on this connection meanwhile:
    the demo generator guarantees the references, and its tests check them.
    """
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # connection settings, set outside any transaction to take effect
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            connection.exec_driver_sql(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB}")
            connection.commit()
        try:
            with connection.begin():
                deferred = _drop_sqlite_indexes(connection, tables) if sqlite else []
                yield connection
                for create_index in deferred:
                    connection.exec_driver_sql(create_index)
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA cache_size = -2000")
                connection.exec_driver_sql("PRAGMA foreign_keys = ON")
                connection.commit()


def _drop_sqlite_indexes(connection: Connection, tables: Sequence[str]) -> list[str]:
    """Drop the explicitly created indexes of ``tables``; return their CREATE statements.

    Primary keys and UNIQUE constraints (SQLite's automatic indexes, without stored SQL) stay.
    """
    quote = connection.dialect.identifier_preparer.quote
    statements: list[str] = []
    for table in tables:
        found = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
            (table,),
        ).all()
        for index_name, sql in found:
            connection.exec_driver_sql(f"DROP INDEX {quote(index_name)}")
            statements.append(sql)
    return statements
