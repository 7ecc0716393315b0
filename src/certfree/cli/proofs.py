"""``certfree proofs``: commands of the proofs domain (issue 3)."""

import typer

app = typer.Typer(help="proofs", no_args_is_help=True)
