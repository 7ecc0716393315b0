"""Developer tool: regenerate the newest, still unreleased migration from the models.

Usage: ``.venv/bin/python scripts/regen_migration.py REV_ID "message"``. Deletes the migration
file with that revision id (if any) and autogenerates it again against a scratch SQLite
database upgraded to its parent, so the file always equals "models minus everything before".
Only for a revision that no deployed node has run yet.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from certfree.storage import Database, migrate


def main(rev_id: str, message: str) -> None:
    versions = Path(migrate.__file__).parent.parent / "migrations" / "versions"
    for old in versions.glob(f"{rev_id}_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as scratch:
        db = Database(f"sqlite:///{scratch}/scratch.db")
        migrate.upgrade(db)
        command.revision(
            migrate.alembic_config(db), message=message, autogenerate=True, rev_id=rev_id
        )
        db.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
