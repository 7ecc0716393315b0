"""What the province's index answers, and to whom (per-object authorization).

* :func:`holder_entries` — a holder's own certificates from every node: the commitment is
  computed here from the signed-in holder's code (the token's subject), never taken from the
  request, so nobody can ask about someone else by commitment (``index.commitment``).
* :func:`issued_entries` — a node's issuance, for that node's admin; every node's for the
  bureau. Without holder commitments: an admin sees what was issued, not to whom.
  :func:`issued_scope` decides which node or organ a signed-in reader may ask about.
* :func:`index_states` — where the harvest of each node stands, with its entry count.

Expiry is not stored: an ``issued`` entry whose ``valid_to`` is past reads ``expired``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certfree.auth import Principal, Role
from certfree.certs.index.commitment import holder_commitment
from certfree.certs.index.errors import InvalidIndexQuery
from certfree.certs.index.models import IndexEntry, IndexHarvestState, NodeTrust
from certfree.certs.issuance import today
from certfree.certs.vocab import CertStatus
from certfree.errors import Forbidden
from certfree.nodes import Node

__all__ = [
    "MAX_LIST",
    "entry_view",
    "holder_entries",
    "index_states",
    "issued_entries",
    "issued_scope",
]

MAX_LIST = 1000


def _status(row: IndexEntry, now: dt.datetime | None) -> CertStatus:
    if row.status is CertStatus.ISSUED and row.valid_to is not None and row.valid_to < today(now):
        return CertStatus.EXPIRED
    return row.status


def entry_view(
    row: IndexEntry, *, node_url: str | None = None, now: dt.datetime | None = None
) -> dict[str, Any]:
    """One entry as answered (no holder commitment); ``node_url``: where the holder fetches
    the certificate itself (the reporting node's registered public URL)."""
    view: dict[str, Any] = {
        "identifier": row.identifier,
        "node": row.node_code,
        "type_code": row.type_code,
        "type_name": row.type_name,
        "issuer_uscc": row.issuer_uscc,
        "issuer_node": row.issuer_node,
        "version": row.version,
        "status": _status(row, now).value,
        "revocation_reason": row.revocation_reason,
        "status_changed_at": row.status_changed_at.isoformat() if row.status_changed_at else None,
        "issued_at": row.issued_at.isoformat(),
        "valid_from": row.valid_from.isoformat(),
        "valid_to": row.valid_to.isoformat() if row.valid_to else None,
        "superseded_by": row.superseded_by,
        "harvested_at": row.harvested_at.isoformat(),
    }
    if node_url is not None:
        view["node_url"] = node_url
        view["certificate_url"] = f"{node_url}/api/v1/certificates/{row.identifier}"
    return view


def holder_entries(
    session: Session, key: bytes, holder: str, *, current_only: bool = False,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """The certificates of ``holder`` (the signed-in subject) indexed from every node, newest
    first; ``current_only`` leaves out superseded versions."""
    query = (
        select(IndexEntry)
        .where(IndexEntry.holder_commitment == holder_commitment(key, holder))
        .order_by(IndexEntry.issued_at.desc(), IndexEntry.identifier)
    )
    if current_only:
        query = query.where(IndexEntry.superseded_by.is_(None))
    rows = list(session.scalars(query))
    urls = dict(
        session.execute(
            # Its public URL: the holder is no node, the endpoint (exchange port) takes nodes only.
            select(Node.code, func.coalesce(Node.public_url, Node.endpoint_url)).where(
                Node.code.in_({r.node_code for r in rows})
            )
        ).all()
    )
    return [entry_view(r, node_url=urls.get(r.node_code), now=now) for r in rows]


def issued_scope(principal: Principal, node: str | None) -> tuple[str | None, str | None]:
    """The ``(node, organ)`` a reader of :func:`issued_entries` may ask about: any node for
    the bureau (a bureau token without ``org``); its own node for a node's bureau or CIO (a
    token whose ``org`` is the node's code); its own organ for a department admin (``org``: the
    organ's department node code, such as 370100-GA). Forbidden naming ``org`` or ``node``."""
    organisation = principal.organisation
    organ = None
    if principal.role is not Role.BUREAU_ADMIN or organisation:
        if not organisation:
            raise Forbidden(
                "令牌须注明所属节点或部门（org 声明，如 370100 或 370100-GA）", field="org"
            )
        if principal.role is Role.DEPARTMENT_ADMIN:
            organ = organisation
        elif node is not None and node != organisation:
            raise Forbidden(f"只能查看本节点 {organisation} 的签发记录", field="node")
        else:
            node = organisation
    return node, organ


def issued_entries(
    session: Session, *, node: str | None = None, organ: str | None = None,
    type_code: str | None = None, limit: int = 100, offset: int = 0,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Entries reported by ``node`` and/or sealed by the organ whose node code is ``organ``
    (None: any), by harvest order."""
    if not 1 <= limit <= MAX_LIST:
        raise InvalidIndexQuery(f"limit 应在 1 到 {MAX_LIST} 之间", field="limit")
    if offset < 0:
        raise InvalidIndexQuery("offset 不能为负", field="offset")
    query = select(IndexEntry).order_by(IndexEntry.node_code, IndexEntry.seq)
    if node is not None:
        query = query.where(IndexEntry.node_code == node)
    if organ is not None:
        query = query.where(IndexEntry.issuer_node == organ)
    if type_code is not None:
        query = query.where(IndexEntry.type_code == type_code)
    rows = session.scalars(query.limit(limit).offset(offset))
    return [entry_view(r, now=now) for r in rows]


def index_states(session: Session) -> list[dict[str, Any]]:
    """Where each node's index harvest stands: cursor, last outcome, entries and organs held."""
    held = dict(
        session.execute(
            select(IndexEntry.node_code, func.count()).group_by(IndexEntry.node_code)
        ).all()
    )
    trust = {row.node_code: row for row in session.scalars(select(NodeTrust))}
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
            "entries": int(held.get(state.node_code, 0)),
            "issuers": len(trust[state.node_code].issuers) if state.node_code in trust else 0,
        }
        for state in session.scalars(
            select(IndexHarvestState).order_by(IndexHarvestState.node_code)
        )
    ]
