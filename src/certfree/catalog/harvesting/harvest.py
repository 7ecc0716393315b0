"""The province harvests the catalogs of city and department nodes.

For each node, :func:`harvest` asks its change feed (``GET /api/v1/catalog/changes``, see
``catalog.changes``) for the changes after the stored cursor, page by page, and stores them
as resources of origin ``<node code>``: new and edited resources are upserted by (origin,
code), tombstones delete. Each page and the cursor after it are committed in one
transaction, so a harvest interrupted anywhere (a node going down on page 2, the harvester
killed) resumes at the first page not stored, with no change lost and none applied twice.

Nodes are harvested one after the other, each page fetched by a :class:`ChangesClient`
(``harvesting.client``: signed HTTP with a short timeout) and followed by the loop every
harvest shares (``nodes.feeds``: the page checked, stored, the cursor moved); a node that
does not answer, refuses or answers nonsense is reported with the reason, its cursor stays
where it was, and the others go on. A resource a node sends that does not pass
:func:`validate_resource` is skipped and listed in the report (the rest of its page is kept).

The harvest commits page by page, so it takes the :class:`Database`, not one session.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from certfree.catalog.changes import MAX_PAGE
from certfree.catalog.errors import InvalidResource
from certfree.catalog.harvesting.client import FAULTS, ChangesClient
from certfree.catalog.harvesting.models import HarvestState
from certfree.catalog.models import Resource
from certfree.catalog.resources import RESOURCE_CODE, validate_resource
from certfree.nodes.feeds import FeedStatus, Source, feed_sources, harvest_feeds, state_row
from certfree.storage import Database, utcnow

__all__ = ["HarvestStatus", "NodeReport", "harvest", "harvest_sources", "harvest_states"]

PAGE_SIZE = 500


HarvestStatus = FeedStatus  # the status words every feed harvest shares (nodes.feeds)


@dataclass
class NodeReport:
    """What the harvest did with one node."""

    node: str
    status: HarvestStatus = HarvestStatus.OK
    pages: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    cursor: int = 0
    reason: str | None = None
    restarted: bool = False  # the node's feed changed (catalog rebuilt): started from 0
    skipped: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "status": self.status.value,
            "pages": self.pages,
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "cursor": self.cursor,
            "reason": self.reason,
            "restarted": self.restarted,
            "skipped": self.skipped,
        }


def harvest_sources(
    session: Session, own_code: str, codes: Sequence[str] | None = None
) -> list[Source]:
    """The nodes to harvest: the active city and department nodes of the registry, or those
    of ``codes`` (InvalidInput for a code that is not such a node)."""
    return feed_sources(session, own_code, codes)


def harvest(
    db: Database,
    sources: Sequence[Source],
    client: ChangesClient,
    *,
    page_size: int = PAGE_SIZE,
    progress: Callable[[NodeReport], None] | None = None,
) -> list[NodeReport]:
    """Harvest each source's changes since its cursor; a report per source, in order.

    ``progress`` is called after every stored page.
    """
    page_size = max(1, min(page_size, MAX_PAGE))
    # A page of another feed (the node's catalog rebuilt) starts again from 0; upserts then
    # refresh what we hold (nodes.feeds.follow_feed).
    return harvest_feeds(
        db, sources, state=HarvestState, new_report=NodeReport,
        fetch=lambda source, since: client.fetch(source, since, page_size),
        items="changes", faults=FAULTS, progress=progress,
        store=lambda source, page, report: _store_page(db, source, page, report),
    )  # fmt: skip


def _store_page(db: Database, source: Source, page: dict[str, Any], report: NodeReport) -> None:
    """The page's changes and the cursor after them, in one transaction.

    Changes are written together at the end of the page; should that clash with a unique
    constraint (a source_url passed from one resource to another within the page), the page
    is written again change by change, in sequence order, as the node made them.
    """
    for one_by_one in (False, True):
        counts = NodeReport(source.code)
        try:
            with db.session() as session:
                _apply(session, source, page["changes"], counts, flush_each=one_by_one)
                state = state_row(session, HarvestState, source.code)
                state.cursor, state.feed_id = page["next"], page["feed"]
        except IntegrityError:
            if one_by_one:
                raise
            continue
        report.created += counts.created
        report.updated += counts.updated
        report.deleted += counts.deleted
        report.skipped += counts.skipped
        return


def _apply(
    session: Session,
    source: Source,
    changes: list[dict[str, Any]],
    report: NodeReport,
    *,
    flush_each: bool,
) -> None:
    """Store one page of changes as resources of origin ``source.code``."""
    origin = source.code
    codes = [str(c.get("code") or "") for c in changes]
    held = {
        row.code: row
        for row in session.scalars(
            select(Resource).where(Resource.origin_node == origin, Resource.code.in_(codes))
        )
    }  # one query per page, not one per change
    for change in sorted(changes, key=lambda c: int(c["seq"])):
        code = str(change.get("code") or "")
        if change.get("origin", origin) != origin or not RESOURCE_CODE.fullmatch(code):
            report.skipped.append({"code": code, "reason": "来源节点或资源代码不符"})
            continue
        if change.get("op") == "delete":
            gone = held.pop(code, None)
            if gone is not None:
                session.delete(gone)
                session.flush()  # before a re-creation of the code later in the page
                report.deleted += 1
            continue
        if change.get("op") != "upsert" or not isinstance(change.get("resource"), dict):
            report.skipped.append({"code": code, "reason": f"未知的变更类型 {change.get('op')!r}"})
            continue
        try:
            draft = validate_resource(change["resource"])
        except InvalidResource as exc:
            report.skipped.append({"code": code, "reason": f"{exc.field}：{exc.message}"})
            continue
        if code.split("/", maxsplit=1)[0] != draft.class_code:
            report.skipped.append({"code": code, "reason": "资源代码前段与分类码不符"})
            continue
        now = utcnow()
        row = held.get(code)
        if row is None:
            row = held[code] = Resource(
                code=code, sequence=int(code.split("/")[1]), origin_node=origin, created_at=now
            )
            session.add(row)
            report.created += 1
        else:
            report.updated += 1
        for key, value in draft.columns().items():
            setattr(row, key, value)
        row.updated_at, row.change_seq = now, None
        if flush_each:
            session.flush()


def harvest_states(session: Session) -> list[dict[str, Any]]:
    """Where each node's harvest stands, with the number of its resources held here."""
    held = dict(
        session.execute(
            select(Resource.origin_node, func.count())
            .where(Resource.origin_node != "")
            .group_by(Resource.origin_node)
        ).all()
    )
    return [
        {
            "node": state.node_code,
            "cursor": state.cursor,
            "last_status": state.last_status,
            "last_ok_at": state.last_ok_at.isoformat() if state.last_ok_at else None,
            "last_attempt_at": (
                state.last_attempt_at.isoformat() if state.last_attempt_at else None
            ),
            "last_error": state.last_error,
            "resources": int(held.get(state.node_code, 0)),
        }
        for state in session.scalars(select(HarvestState).order_by(HarvestState.node_code))
    ]
