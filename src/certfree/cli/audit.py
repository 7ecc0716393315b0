"""`certfree audit` commands (thin: build settings, call the domain, print).

* ``verify --node CODE`` — another node's log, from outside: its signed head checked with
  the node's keys (from the province's signed registry when the pinned province keys are at
  hand, else as the node publishes them) and proved consistent with the head saved last time;
* ``head`` — this node's current signed tree head;
* ``verify-log`` — this node's whole log recomputed from its records (a full integrity check).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import httpx
import typer

from certfree import governance
from certfree.cli.common import (
    database_session,
    err_console,
    load_settings,
    node_keys,
    print_json,
    reported_errors,
)
from certfree.cli.i18n import t
from certfree.crypto import KeyLike
from certfree.errors import CertfreeError, InvalidInput, NotFound
from certfree.exchange import ProviderUnavailable
from certfree.exchange.protocol.registry import fetch_registry, load_pinned_jwks
from certfree.governance import AuditNodeUnreachable, TreeHeadInvalid, check_node_head, node_url

app = typer.Typer(no_args_is_help=True)

_TIMEOUT = httpx.Timeout(10.0)
DEFAULT_STATE_DIR = Path("var/audit-heads")
DEFAULT_CLUSTER_FILE = Path("var/cluster/cluster.json")


def _registry_keys(
    client: httpx.Client, node: str, cluster_file: Path | None, province_jwks: Path | None
) -> tuple[dict[str, KeyLike] | None, str]:
    """``node``'s keys from the province's signed registry, checked with the pinned province
    keys; (None, "") when no pinned keys are at hand (the node's own keys are used then).

    Without a cluster file (``--url`` given, no ``--cluster-file``) nothing is read from disk
    but ``--province-jwks``, and the province's URL must then come from a cluster file."""
    if cluster_file is None:
        if province_jwks is not None:
            raise InvalidInput(
                t("audit.jwks_needs_cluster_file"),
                field="cluster_file",
            )
        return None, ""
    pinned_path = province_jwks or cluster_file.parent / "province.jwks.json"
    pinned = load_pinned_jwks(pinned_path)
    if pinned is None:
        if province_jwks is not None:
            raise NotFound(t("audit.no_jwks_file", path=province_jwks), field="province_jwks")
        return None, ""
    try:
        province = str(json.loads(cluster_file.read_text(encoding="utf-8"))["province"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(
            t("audit.no_province", path=cluster_file, error=repr(exc)),
            field="cluster_file",
        ) from exc
    try:
        snapshot = fetch_registry(client, node_url(province, cluster_file), pinned)
    except ProviderUnavailable as exc:
        raise AuditNodeUnreachable(exc.message) from exc
    except CertfreeError as exc:
        raise TreeHeadInvalid(t("audit.registry_invalid", error=exc.message)) from exc
    peer = snapshot.peer(node)
    if peer is None or not peer.verifiers:
        raise TreeHeadInvalid(t("audit.node_not_in_registry", serial=snapshot.serial, node=node))
    source = t("audit.key_source", serial=snapshot.serial, status=peer.status)
    return dict(peer.verifiers), source


@app.command()
def verify(
    node: Annotated[str, typer.Option()],
    url: Annotated[str | None, typer.Option()] = None,
    state_dir: Annotated[Path, typer.Option()] = DEFAULT_STATE_DIR,
    cluster_file: Annotated[
        Path | None,
        typer.Option(),
    ] = None,
    province_jwks: Annotated[
        Path | None,
        typer.Option(),
    ] = None,
) -> None:
    """Check a node's signed tree head and its consistency with the one saved before.

    Prints the head; exits 1 with the reason if the signature fails or the log shrank,
    was rewritten or forked since the saved head (which is then kept, not overwritten).
    """
    with reported_errors():
        if url is None:
            cluster_file = cluster_file or DEFAULT_CLUSTER_FILE
            base = node_url(node, cluster_file)
        else:
            base = url  # a URL given is the whole answer: a leftover cluster is not consulted
        with httpx.Client(timeout=_TIMEOUT) as client:
            keys, source = _registry_keys(client, node, cluster_file, province_jwks)
            check = check_node_head(
                client,
                node=node,
                url=base,
                state_dir=state_dir,
                trusted_keys=keys,
                key_source=source,
            )
    err_console.print(f"[green]{t('ok')}[/green] {node}: {check.verdict}", highlight=False)
    err_console.print(f"   {t('audit.keys')} {check.key_source}", highlight=False)
    print_json(check.head.to_json())


@app.command()
def head() -> None:
    """This node's current tree head, signed now with the node key."""
    settings = load_settings()
    with reported_errors():
        keys = node_keys(settings)
    with database_session() as session:
        signed = governance.sign_tree_head(session, keys, settings.node_code)
    print_json(signed.to_json())


@app.command("verify-log")
def verify_log() -> None:
    """Recompute this node's tree from every record and compare every stored hash and the head.

    Exits 1 listing each fault found.
    """
    with database_session() as session:
        check = governance.verify_log(session)
    print_json(check.to_json())
    if check.faults:
        for fault in check.faults:
            err_console.print(f"[red]{t('audit.fault')}[/red] {fault}", highlight=False)
        raise typer.Exit(1)
    err_console.print(
        f"[green]{t('ok')}[/green] "
        + t("audit.log_ok", size=check.tree_size, root=check.root_hash.hex()),
        highlight=False,
    )
