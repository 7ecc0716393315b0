"""Alembic, driven from code: one migration history for SQLite and PostgreSQL.

The scripts live in ``certfree/migrations`` (shipped inside the package) so that an installed
node can run ``certfree db upgrade`` without a source checkout.
"""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from certfree.storage.engine import Database


def alembic_config(db: Database) -> Config:
    """An Alembic config pointing at the packaged scripts and at ``db``."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("certfree") / "migrations"))
    config.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    config.attributes["engine"] = db.engine
    return config


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest)."""
    command.upgrade(alembic_config(db), revision)


def downgrade(db: Database, revision: str) -> None:
    command.downgrade(alembic_config(db), revision)


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(db: Database) -> str | None:
    return ScriptDirectory.from_config(alembic_config(db)).get_current_head()


def revision(db: Database, message: str) -> None:
    """Autogenerate the next migration from the models (a developer's command), as
    ``NNNN_<message>.py`` with revision id ``NNNN``: released ones are never regenerated."""
    config = alembic_config(db)
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    count = len(list(ScriptDirectory.from_config(config).walk_revisions()))
    command.revision(config, message=message, autogenerate=True, rev_id=f"{count + 1:04d}")
