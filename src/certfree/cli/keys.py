"""``certfree keys``: the node's signing keys (统一签章) in CERTFREE_KEY_DIR."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from certfree.cli.common import node_keys, reported_errors
from certfree.crypto import Alg

app = typer.Typer(help="Manage the node's signing keys (统一签章).", no_args_is_help=True)

_ALGS = ", ".join(a.value for a in Alg)


def _alg(value: str) -> Alg:
    try:
        return Alg(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not one of {_ALGS}") from None


@app.command()
def create(
    owner: str = typer.Option("node", help='"node" or an issuer\'s USCC'),
    alg: str = typer.Option(Alg.EdDSA.value, help=f"one of: {_ALGS}"),
) -> None:
    """Create the first active key of OWNER (refused if it has one: rotate instead)."""
    algorithm = _alg(alg)
    with reported_errors():
        info = node_keys().create(owner, algorithm)
        typer.echo(f"created {info.alg} key {info.kid} for {info.owner}")


@app.command()
def rotate(
    owner: str = typer.Option("node", help='"node" or an issuer\'s USCC'),
    alg: str | None = typer.Option(None, help=f"one of: {_ALGS} (default: the current one)"),
) -> None:
    """Give OWNER a new active key; the old one is retired but still verifies."""
    algorithm = _alg(alg) if alg else None
    with reported_errors():
        info = node_keys().rotate(owner, algorithm)
        typer.echo(f"rotated {info.owner} to {info.alg} key {info.kid}")


@app.command("list")
def list_keys(owner: str | None = typer.Option(None, help="only this owner's keys")) -> None:
    """Show every key: kid, owner, alg, status, created."""
    with reported_errors():
        infos = node_keys().keys(owner)
    table = Table("kid", "owner", "alg", "status", "created")
    for info in infos:
        created = info.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        table.add_row(info.kid, info.owner, info.alg.value, info.status.value, created)
    Console(width=200).print(table)


@app.command()
def jwks(owner: str | None = typer.Option(None, help="only this owner's keys")) -> None:
    """Print the JWK Set (RFC 7517 §5) of active and retired public keys."""
    with reported_errors():
        document = node_keys().jwks(owner)
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
