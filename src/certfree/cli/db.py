"""``certfree db``: the schema."""

from __future__ import annotations

import typer

from certfree.cli.common import load_settings, reported_errors
from certfree.storage import Database, migrate

app = typer.Typer(help="数据库 Database schema (Alembic migrations).", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="target revision")) -> None:
    """Bring the node's database schema up to date."""
    with reported_errors():
        db = Database(load_settings().database_url)
        migrate.upgrade(db, revision)
        typer.echo(f"database at revision {migrate.current_revision(db)}")


@app.command()
def current() -> None:
    """Print the schema revision of the node's database."""
    with reported_errors():
        db = Database(load_settings().database_url)
        now, head = migrate.current_revision(db), migrate.head_revision(db)
        typer.echo(f"{now or '(empty)'}{'' if now == head else f' (newest is {head})'}")


@app.command()
def downgrade(revision: str = typer.Argument(..., help="target revision, e.g. base")) -> None:
    """Step the schema back to ``revision``."""
    with reported_errors():
        migrate.downgrade(Database(load_settings().database_url), revision)
