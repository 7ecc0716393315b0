"""``certfree keys``: the node's signing keys (统一签章) in CERTFREE_KEY_DIR."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from certfree.auth import NODE_KEY_OWNER
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
        keys = node_keys()
        info = keys.create(owner, algorithm)
        typer.echo(t("keys.created", alg=info.alg, kid=info.kid, owner=info.owner))
        if owner == NODE_KEY_OWNER and not keys.encryption.keys(owner):
            # A node also needs the key its peers encrypt personal data to (crypto.jwe); said
            # on stderr, so stdout still ends with the signing key's kid for scripts.
            enc = keys.encryption.ensure(owner)
            typer.echo(t("keys.created_encryption", kid=enc.kid, owner=owner), err=True)


@app.command("create-encryption")
def create_encryption(owner: str = typer.Option(NODE_KEY_OWNER)) -> None:
    """Create OWNER's encryption key (X25519, for JWE), refused if it has one."""
    with reported_errors():
        info = node_keys().encryption.create(owner)
        typer.echo(t("keys.created_encryption", kid=info.kid, owner=info.owner))


@app.command("rotate-encryption")
def rotate_encryption(owner: str = typer.Option(NODE_KEY_OWNER)) -> None:
    """Give OWNER a new encryption key; the old one still opens what was sent to it.
    Register the new JWK Set (`certfree keys jwks --with-encryption`) with the province."""
    with reported_errors():
        info = node_keys().encryption.rotate(owner)
        typer.echo(t("keys.created_encryption", kid=info.kid, owner=info.owner))


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
def jwks(
    owner: str | None = typer.Option(None),
    with_encryption: bool = typer.Option(False, "--with-encryption"),
) -> None:
    """Print the JWK Set (RFC 7517 §5) of active and retired public keys; with
    --with-encryption also OWNER's encryption keys (use enc): what a node registers with the
    province."""
    with reported_errors():
        keys = node_keys()
        if with_encryption:
            document = keys.published_jwks(owner or NODE_KEY_OWNER)
        else:
            document = keys.jwks(owner)
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
