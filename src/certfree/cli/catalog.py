"""`certfree catalog` commands (thin: build settings, call the domain, print)."""

from __future__ import annotations

import typer

app = typer.Typer(help="catalog", no_args_is_help=True)
