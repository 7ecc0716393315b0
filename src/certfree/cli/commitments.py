"""``certfree commitments``: commands of the commitments domain (issue 3)."""

import typer

app = typer.Typer(help="commitments", no_args_is_help=True)
