"""``certfree procedures``: commands of the procedures domain (issue 3)."""

import typer

app = typer.Typer(help="procedures", no_args_is_help=True)
