"""``certfree certs index``: the provincial certificate index (thin).

At the province: ``harvest`` takes each node's index entries and trust list (signed with this
node's key; exit 1 when any node was not harvested, so a cron job notices), ``status`` shows
where each harvest stands, ``trust-list FILE`` writes the province's one signed trust list
for offline verifiers. Anywhere: ``wallet`` lists the signed-in holder's certificates from
every city through the province and fetches each from its node.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.table import Table

from certfree.auth import NODE_KEY_OWNER
from certfree.certs import TrustList
from certfree.certs import index as cert_index
from certfree.cli.common import err_console, load_settings, node_keys, print_json, reported_errors
from certfree.cli.feed_reports import print_harvest_progress, print_harvest_reports
from certfree.cli.i18n import headings, t
from certfree.errors import InvalidInput, NotFound
from certfree.exchange.protocol.hosting import hosted_codes
from certfree.nodes import feeds
from certfree.storage import Database
from certfree.wallet.cities import gather_certificates

__all__ = ["register"]

app = typer.Typer(no_args_is_help=True)
_TIMEOUT = httpx.Timeout(10.0, connect=3.0)


@app.command("harvest")
def harvest(
    node: Annotated[list[str] | None, typer.Option("--node")] = None,
    all_nodes: Annotated[bool, typer.Option("--all")] = False,
    page_size: Annotated[int, typer.Option(min=1, max=1000)] = 500,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Harvest the certificate index and trust list of this node and of city and department
    nodes (``--all``, this node's own read in-process), or of the nodes named."""
    settings = load_settings()
    with reported_errors():
        if bool(node) == all_nodes:
            raise InvalidInput(t("catalog.harvest.node_or_all"), field="node")
        db = Database(settings.database_url)
        own = settings.node_code
        try:
            with db.session() as session:  # this node's own issuance first, then each node's
                others = [code for code in node or [] if code != own]
                sources = [feeds.Source(own, None)] if all_nodes or own in (node or []) else []
                sources += feeds.feed_sources(session, own, others) if all_nodes or others else []
                hosted = {own: hosted_codes(session, own, settings.hosted_departments)}
            keys = node_keys(settings)
            # Peers' feeds are on their exchange listeners (mutual TLS 1.3).
            http = cert_index.HttpIndexClient(
                keys.signer(NODE_KEY_OWNER), own, verify=settings.peer_context()
            )
            client = cert_index.OwnFeedClient(db, keys, own, settings.index_key, http)
            try:
                reports = cert_index.harvest_index(
                    db, sources, client, page_size=page_size, progress=print_harvest_progress,
                    hosted=hosted,
                )  # fmt: skip
            finally:
                http.close()
        finally:
            db.dispose()
    print_harvest_reports(
        reports, as_json=as_json, table="certs.index.headings",
        counts=lambda r: (r.created, r.updated, r.issuers, r.cursor),
    )  # fmt: skip


@app.command("status")
def status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Where the harvest of each node's certificate index stands."""
    settings = load_settings()
    with reported_errors():
        db = Database(settings.database_url)
        try:
            with db.session() as session:
                states = cert_index.index_states(session)
        finally:
            db.dispose()
    if as_json:
        print_json(states)
        return
    table = Table(*headings("certs.index.status_headings"))
    for s in states:
        table.add_row(
            s["node"], s["last_status"] or "", str(s["entries"]), str(s["issuers"]),
            str(s["cursor"]), s["last_ok_at"] or "", s["last_error"] or "",
        )  # fmt: skip
    Console(soft_wrap=True).print(table)


@app.command("trust-list")
def trust_list(
    out: Annotated[Path, typer.Argument()],
    status_dir: Annotated[Path | None, typer.Option()] = None,
) -> None:
    """Write the province's one signed trust list (every active issuer key) to FILE."""
    settings = load_settings()
    with reported_errors():
        keys = node_keys(settings)
        db = Database(settings.database_url)
        try:
            with db.session() as session:
                token = cert_index.province_trust_list(
                    session, keys, publisher=settings.node_code, now=int(time.time())
                )
        finally:
            db.dispose()
        trust = TrustList.from_token(token, keys.active(NODE_KEY_OWNER).public_jwk)
        trust.save(out)
        if status_dir is not None:
            _save_status_lists(trust, status_dir)
    err_console.print(
        t("certs.index.trust_list_saved", issuers=len(trust.issuers), serial=trust.serial,
          out=out),
        highlight=False,
    )  # fmt: skip


def _save_status_lists(trust: TrustList, directory: Path) -> None:
    """Every status list the trust list names, fetched from its URI (each city's node), into
    ``directory`` as ``certfree certs verify --offline --status-dir`` reads them."""
    directory.mkdir(parents=True, exist_ok=True)
    with httpx.Client(timeout=_TIMEOUT) as client:
        for number, uri in enumerate(trust.status_lists, start=1):
            try:
                response = client.get(uri)
                response.raise_for_status()
            except httpx.HTTPError as exc:
                raise NotFound(
                    t("certs.cannot_fetch", url=uri, error=exc), field="status-dir"
                ) from exc
            (directory / f"{number:05d}.jwt").write_text(response.text.strip() + "\n", "ascii")


@app.command("wallet")
def wallet(
    province: Annotated[str, typer.Option("--province")],
    token: Annotated[str, typer.Option(envvar="CERTFREE_TOKEN")],
    node_token: Annotated[list[str] | None, typer.Option("--node-token")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The holder's certificates from every city, through the province's index."""
    with reported_errors():
        tokens = {}
        for pair in node_token or []:
            code, sep, value = pair.partition("=")
            if not sep or not code or not value:
                raise InvalidInput(t("certs.index.node_token"), field="node-token")
            tokens[code.strip()] = value.strip()
        gathered = gather_certificates(province, token, tokens)
    if as_json:
        print_json([g.as_json() for g in gathered])
        return
    table = Table(*headings("certs.index.wallet_headings"))
    for g in gathered:
        e = g.entry
        table.add_row(
            str(e.get("type_name")), str(e.get("node")), str(e.get("identifier")),
            str(e.get("status")), t("certs.index.fetched") if g.credential else g.reason or "",
        )  # fmt: skip
    Console(soft_wrap=True).print(table)


def register(certs_app: typer.Typer) -> None:
    """Add the ``index`` command group to the ``certs`` command group."""
    certs_app.add_typer(app, name="index")
