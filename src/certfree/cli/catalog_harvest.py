"""`certfree catalog harvest`: the province takes the catalog changes of its nodes (thin).

Run at the province: the registry (``nodes`` table) lists the nodes and their endpoints; each
request is signed with this node's key. Prints one report per node (JSON with ``--json``);
exit status 1 when any node was not harvested (unreachable, refused, invalid), so that a cron
job notices, the others having been harvested all the same.
"""

from __future__ import annotations

from typing import Annotated

import typer

from certfree import catalog
from certfree.auth import NODE_KEY_OWNER
from certfree.cli.common import load_settings, node_keys, print_json, reported_errors
from certfree.cli.feed_reports import print_harvest_progress, print_harvest_reports
from certfree.cli.i18n import t
from certfree.errors import InvalidInput
from certfree.storage import Database

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``harvest`` command to the ``catalog`` command group ``app``."""

    @app.command("harvest")
    def harvest(
        node: Annotated[list[str] | None, typer.Option("--node")] = None,
        all_nodes: Annotated[bool, typer.Option("--all")] = False,
        page_size: Annotated[int, typer.Option(min=1, max=1000)] = 500,
        status: Annotated[bool, typer.Option("--status")] = False,
        as_json: Annotated[bool, typer.Option("--json")] = False,
    ) -> None:
        """Harvest the catalogs of city and department nodes (changes since the last run)."""
        settings = load_settings()
        with reported_errors():
            db = Database(settings.database_url)
            try:
                if status:
                    with db.session() as session:
                        print_json(catalog.harvest_states(session))
                    return
                if bool(node) == all_nodes:
                    raise InvalidInput(t("catalog.harvest.node_or_all"), field="node")
                with db.session() as session:
                    sources = catalog.harvest_sources(session, settings.node_code, node)
                if not sources:
                    raise InvalidInput(
                        t("catalog.harvest.no_sources"),
                        field="node",
                    )
                signer = node_keys(settings).signer(NODE_KEY_OWNER)
                # Peers' feeds are on their exchange listeners (mutual TLS 1.3).
                client = catalog.HttpChangesClient(
                    signer, settings.node_code, verify=settings.peer_context()
                )
                try:
                    reports = catalog.harvest(
                        db, sources, client, page_size=page_size, progress=print_harvest_progress
                    )
                finally:
                    client.close()
            finally:
                db.dispose()
        print_harvest_reports(
            reports, as_json=as_json, table="catalog.harvest.headings",
            counts=lambda r: (r.created, r.updated, r.deleted, r.cursor),
        )  # fmt: skip
