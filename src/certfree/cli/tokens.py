"""``certfree tokens``: bearer tokens signed by this node."""

from __future__ import annotations

import typer

from certfree.app import build_node
from certfree.auth import Role
from certfree.cli.common import load_settings, reported_errors

app = typer.Typer(help="令牌 Bearer tokens for the API.", no_args_is_help=True)


@app.command()
def issue(
    role: str = typer.Option(..., help=f"one of: {', '.join(r.value for r in Role)}"),
    subject: str = typer.Option(..., help="who: an ID number, a clerk's staff id, a node code"),
    organisation: str | None = typer.Option(None, help="the caller's organisation code"),
    ttl: int | None = typer.Option(None, help="lifetime in seconds (default from settings)"),
) -> None:
    """Print a bearer token for SUBJECT acting as ROLE."""
    with reported_errors():
        node = build_node(load_settings())
        typer.echo(node.tokens.issue(role, subject, organisation=organisation, ttl_seconds=ttl))


@app.command()
def inspect(token: str = typer.Argument(..., help="a bearer token")) -> None:
    """Verify TOKEN against this node and print who it stands for."""
    with reported_errors():
        principal = build_node(load_settings()).tokens.authenticate(token)
        typer.echo(f"{principal.subject} as {principal.role} (issued by {principal.issuer})")
