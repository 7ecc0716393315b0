"""``certfree exchange nodes``: the province's node registry (register, approve, revoke, list).

Run at the province with its settings; bureau_admins can do the same through
``POST /api/v1/exchange/nodes/{code}/registration|approve|revoke``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from certfree.cli.common import database_session, load_settings, print_json, reported_errors
from certfree.cli.i18n import t
from certfree.errors import InvalidInput
from certfree.exchange.protocol import hosting, registry
from certfree.nodes import Node, list_nodes

app = typer.Typer(no_args_is_help=True)


def _row(node: Node) -> dict[str, object]:
    return {
        "code": node.code,
        "name": node.name,
        "level": node.level.value,
        "parent": node.parent_code,
        "endpoint_url": node.endpoint_url,
        "tls_fingerprint": node.tls_fingerprint,
        "public_url": node.public_url,
        "status": node.status.value,
        "keys": [key.get("kid") for key in (node.jwks or {}).get("keys", [])],
    }


@app.command("list")
def list_(
    all_nodes: Annotated[bool, typer.Option("--all")] = False,
) -> None:
    """Registered nodes (with keys) and the departments this node hosts, as JSON."""
    settings = load_settings()
    me = settings.node_code
    with database_session() as session:
        hosted = hosting.hosted_codes(session, me, settings.hosted_departments)
        rows = [
            # hosted_by: this node answers for it (CERTFREE_HOSTED_DEPARTMENTS), no endpoint needed
            {**_row(n), "hosted_by": me if n.code in hosted else None}
            for n in list_nodes(session)
            if all_nodes or n.jwks is not None or n.code in hosted
        ]
    print_json(rows)


@app.command()
def register(  # noqa: PLR0917 - typer maps each option to a parameter
    code: Annotated[str, typer.Argument()],
    endpoint: Annotated[str, typer.Option()],
    jwks: Annotated[Path, typer.Option()],
    tls_cert: Annotated[
        Path | None,
        typer.Option(help="the node's TLS certificate (PEM): the registry binds its key"),
    ] = None,
    public_url: Annotated[
        str | None, typer.Option(help="where people reach the node (its public URL)")
    ] = None,
    approve: Annotated[bool, typer.Option()] = False,
) -> None:
    """Record a node's keys, endpoint (https://host:exchange_port) and TLS key; pending
    until approved."""
    with reported_errors():
        try:
            keys = json.loads(jwks.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidInput(
                t("exchange.nodes.bad_jwks", path=jwks, error=exc), field="jwks"
            ) from exc
        pin = None
        if tls_cert is not None:
            try:
                pem = tls_cert.read_bytes()
            except OSError as exc:
                raise InvalidInput(
                    f"无法读取 TLS 证书 {tls_cert}（cannot read it: {exc}）", field="tls_cert"
                ) from exc
            pin = registry.certificate_fingerprint(pem, code)
        with database_session() as session:
            node = registry.register_node(
                session,
                code,
                jwks=keys,
                endpoint_url=endpoint,
                tls_fingerprint=pin,
                public_url=public_url,
                approve=approve,
            )
            print_json(_row(node))


@app.command()
def approve(code: Annotated[str, typer.Argument()]) -> None:
    """Approve a registered node."""
    with database_session() as session:
        print_json(_row(registry.approve_node(session, code)))


@app.command()
def revoke(code: Annotated[str, typer.Argument()]) -> None:
    """Revoke a node; peers refuse it once they fetch the next registry."""
    with database_session() as session:
        print_json(_row(registry.revoke_node(session, code)))
