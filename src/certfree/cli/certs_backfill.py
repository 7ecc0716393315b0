"""``certfree certs backfill``: import paper-era certificate records (补齐历史数据)."""

import typer


def register(app: typer.Typer) -> None:
    """Add the backfill commands to the ``certs`` command group."""
