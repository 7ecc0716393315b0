"""``certfree tokens``: bearer tokens signed by this node."""

from __future__ import annotations

import typer

from certfree.assembly import build_node
from certfree.cli.common import load_settings, reported_errors
from certfree.cli.i18n import t

app = typer.Typer(no_args_is_help=True)


@app.command()
def issue(
    role: str = typer.Option(...),
    subject: str = typer.Option(...),
    organisation: str | None = typer.Option(None),
    ttl: int | None = typer.Option(None),
) -> None:
    """Print a bearer token for SUBJECT acting as ROLE."""
    with reported_errors():
        node = build_node(load_settings())
        typer.echo(node.tokens.issue(role, subject, organisation=organisation, ttl_seconds=ttl))


@app.command()
def inspect(token: str = typer.Argument(...)) -> None:
    """Verify TOKEN against this node and print who it stands for."""
    with reported_errors():
        principal = build_node(load_settings()).tokens.authenticate(token)
        typer.echo(
            t(
                "tokens.principal",
                subject=principal.subject,
                role=principal.role,
                issuer=principal.issuer,
            )
        )
