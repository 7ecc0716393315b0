"""``certfree keys``: the node's signing keys (统一签章) in CERTFREE_KEY_DIR."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from certfree.cli.common import node_keys, reported_errors
from certfree.cli.i18n import headings, t
from certfree.crypto import Alg

app = typer.Typer(no_args_is_help=True)

_ALGS = ", ".join(a.value for a in Alg)


def _alg(value: str) -> Alg:
    try:
        return Alg(value)
    except ValueError:
        raise typer.BadParameter(t("keys.bad_alg", alg=repr(value), algs=_ALGS)) from None


@app.command()
def create(
    owner: str = typer.Option("node"),
    alg: str = typer.Option(Alg.EdDSA.value),
) -> None:
    """Create the first active key of OWNER (refused if it has one: rotate instead)."""
    algorithm = _alg(alg)
    with reported_errors():
        info = node_keys().create(owner, algorithm)
        typer.echo(t("keys.created", alg=info.alg, kid=info.kid, owner=info.owner))


@app.command()
def rotate(
    owner: str = typer.Option("node"),
    alg: str | None = typer.Option(None),
) -> None:
    """Give OWNER a new active key; the old one is retired but still verifies."""
    algorithm = _alg(alg) if alg else None
    with reported_errors():
        info = node_keys().rotate(owner, algorithm)
        typer.echo(t("keys.rotated", alg=info.alg, kid=info.kid, owner=info.owner))


@app.command("list")
def list_keys(owner: str | None = typer.Option(None)) -> None:
    """Show every key: kid, owner, alg, status, created."""
    with reported_errors():
        infos = node_keys().keys(owner)
    table = Table(*headings("keys.headings"))
    for info in infos:
        created = info.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        table.add_row(info.kid, info.owner, info.alg.value, info.status.value, created)
    Console(width=200).print(table)


@app.command()
def jwks(owner: str | None = typer.Option(None)) -> None:
    """Print the JWK Set (RFC 7517 §5) of active and retired public keys."""
    with reported_errors():
        document = node_keys().jwks(owner)
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
