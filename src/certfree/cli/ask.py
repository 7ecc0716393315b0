"""`certfree ask QUESTION --from NODE ...`: one verification through the cluster."""

from __future__ import annotations

import typer


def ask(question: str = typer.Argument(..., help="question name")) -> None:
    """Ask one verification question through the cluster (not wired yet)."""
    raise typer.Exit(2)
