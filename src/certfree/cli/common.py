"""What every command shares: settings, error reporting, a database session, JSON output."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from certfree.cli.i18n import t
from certfree.crypto import KeyStore
from certfree.errors import CertfreeError, InvalidInput
from certfree.settings import Settings
from certfree.storage import Database

err_console = Console(stderr=True, soft_wrap=True)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn certfree errors into a red message on stderr and exit status 1."""
    try:
        yield
    except CertfreeError as exc:
        err_console.print(f"[red]{t('error')}[/red] {exc}", highlight=False)
        raise typer.Exit(1) from exc


def load_settings() -> Settings:
    """Settings from CERTFREE_* variables; a bad value says which variable to fix."""
    try:
        return Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = "CERTFREE_" + "_".join(str(p) for p in error["loc"]).upper()
            err_console.print(f"[red]{t('error')}[/red] {name}: {error['msg']}", highlight=False)
        raise typer.Exit(2) from exc


@contextmanager
def node_database() -> Iterator[Database]:
    """The node's database; errors become a message and exit status 1.

    A database error (most often: tables missing) is reported as such, with the fix.
    """
    with reported_errors():
        db = Database(load_settings().database_url)
        try:
            yield db
        except DBAPIError as exc:
            raise InvalidInput(
                t("database_failed", error=type(exc.orig).__name__),
                field="database",
            ) from exc
        finally:
            db.dispose()


@contextmanager
def database_session() -> Iterator[Session]:
    """One transaction on the node's database (errors reported as node_database does)."""
    with node_database() as db, db.session() as session:
        yield session


def node_keys(settings: Settings | None = None) -> KeyStore:
    """The node's key store (CERTFREE_KEY_DIR, CERTFREE_KEY_PASSPHRASE)."""
    return (settings or load_settings()).key_store()


def actor_name(actor: str | None) -> str:
    """``actor`` as given, else ``cli:<login name>`` — who a change log records."""
    return actor or f"cli:{getpass.getuser()}"


def print_json(data: Any) -> None:
    """``data`` as indented JSON on stdout, Chinese left readable (not \\u-escaped)."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
