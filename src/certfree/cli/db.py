"""``certfree db``: the schema."""

from __future__ import annotations

import typer

from certfree.cli.common import load_settings, reported_errors
from certfree.cli.i18n import t
from certfree.storage import Database, migrate

app = typer.Typer(no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head")) -> None:
    """Bring the node's database schema up to date."""
    with reported_errors():
        db = Database(load_settings().database_url)
        migrate.upgrade(db, revision)
        typer.echo(t("db.upgraded", revision=migrate.current_revision(db)))


@app.command()
def current() -> None:
    """Print the schema revision of the node's database."""
    with reported_errors():
        db = Database(load_settings().database_url)
        now, head = migrate.current_revision(db), migrate.head_revision(db)
        newest = "" if now == head else t("db.newest", revision=head)
        typer.echo(f"{now or t('db.empty')}{newest}")


@app.command()
def downgrade(revision: str = typer.Argument(...)) -> None:
    """Step the schema back to ``revision``."""
    with reported_errors():
        migrate.downgrade(Database(load_settings().database_url), revision)
