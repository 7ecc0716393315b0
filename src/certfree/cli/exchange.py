"""`certfree exchange` commands (thin: build settings, call the domain, print)."""

from __future__ import annotations

import typer

app = typer.Typer(help="exchange", no_args_is_help=True)
