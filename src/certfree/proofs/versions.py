"""Published versions of the list: publish (freeze a snapshot), read, diff, change log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from certfree.proofs.errors import ListVersionNotFound, ProofListConflict
from certfree.proofs.models import ListVersion, ProofChange, ProofItem
from certfree.proofs.registry import log_change
from certfree.proofs.views import LegalBasisView, ProofItemView, item_view
from certfree.proofs.vocab import ChangeKind, ProofItemStatus
from certfree.storage import utcnow

__all__ = [
    "DIFF_FIELDS",
    "ChangeView",
    "VersionView",
    "current_version",
    "diff",
    "diff_snapshots",
    "get_version",
    "list_changes",
    "list_items",
    "list_versions",
    "publish",
    "working_snapshot",
]

# The fields a diff compares, in the order a reader sees them.
DIFF_FIELDS = (
    "name",
    "fact",
    "issuing_department",
    "department_kind",
    "ways",
    "excluded_area",
    "legal_bases",
    "status",
    "abolition_reason",
    "note",
)


@dataclass(frozen=True)
class VersionView:
    number: int
    published_at: dt.datetime
    actor: str
    reason: str
    item_count: int

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "published_at": self.published_at.isoformat(),
            "actor": self.actor,
            "reason": self.reason,
            "item_count": self.item_count,
        }


@dataclass(frozen=True)
class ChangeView:
    at: dt.datetime
    actor: str
    reason: str
    kind: ChangeKind
    item_code: str | None
    document_id: int | None
    details: dict[str, Any]
    published_in: int | None

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "actor": self.actor,
            "reason": self.reason,
            "kind": self.kind.value,
            "item_code": self.item_code,
            "document_id": self.document_id,
            "details": self.details,
            "published_in": self.published_in,
        }


def _version_view(row: ListVersion) -> VersionView:
    return VersionView(row.number, row.published_at, row.actor, row.reason, row.item_count)


def working_snapshot(session: Session) -> list[dict[str, Any]]:
    """The working list as JSON, ordered by code: what ``publish`` freezes."""
    items = session.scalars(select(ProofItem).order_by(ProofItem.code)).all()
    return [item_view(item).as_json() for item in items]


def current_version(session: Session) -> int | None:
    """The number of the newest published version, None before the first publication."""
    return session.scalar(select(func.max(ListVersion.number)))


def get_version(session: Session, number: int) -> VersionView:
    return _version_view(_version_row(session, number))


def _version_row(session: Session, number: int) -> ListVersion:
    row = session.get(ListVersion, number)
    if row is None:
        newest = current_version(session)
        hint = f"已发布的版本为 1–{newest}" if newest else "清单尚未发布过"
        raise ListVersionNotFound(f"证明事项清单没有第 {number} 版；{hint}", field="version")
    return row


def list_versions(session: Session) -> list[VersionView]:
    rows = session.scalars(select(ListVersion).order_by(ListVersion.number)).all()
    return [_version_view(row) for row in rows]


def list_items(session: Session, version: int | None = None) -> list[ProofItemView]:
    """Items of published ``version`` exactly as frozen, or of the working list if None."""
    if version is None:
        items = session.scalars(select(ProofItem).order_by(ProofItem.code)).all()
        return [item_view(item) for item in items]
    return [ProofItemView.from_json(data) for data in _version_row(session, version).snapshot]


def publish(session: Session, actor: str, reason: str) -> VersionView:
    """Freeze the working list as version N+1; refuses an empty list or one with no change."""
    if not actor.strip() or not reason.strip():
        raise ProofListConflict("发布须说明发布人和发布理由（--reason）", field="reason")
    snapshot = working_snapshot(session)
    if not snapshot:
        raise ProofListConflict("证明事项清单为空；先导入或新增证明事项再发布")
    newest = current_version(session)
    if newest is not None and _version_row(session, newest).snapshot == snapshot:
        raise ProofListConflict(f"清单与第 {newest} 版相同，无需发布新版本")
    number = (newest or 0) + 1
    row = ListVersion(
        number=number,
        published_at=utcnow(),
        actor=actor.strip(),
        reason=reason.strip(),
        item_count=len(snapshot),
        snapshot=snapshot,
    )
    session.add(row)
    log_change(session, ChangeKind.PUBLISH, actor, reason, details={"version": number})
    session.flush()
    session.execute(
        update(ProofChange).where(ProofChange.published_in.is_(None)).values(published_in=number)
    )
    return _version_view(row)


def list_changes(session: Session, *, version: int | None = None) -> list[ChangeView]:
    """The change log: entries carried into ``version``, or those not yet published if None."""
    query = select(ProofChange).order_by(ProofChange.id)
    query = query.where(
        ProofChange.published_in.is_(None)
        if version is None
        else ProofChange.published_in == version
    )
    return [
        ChangeView(
            c.at, c.actor, c.reason, c.kind, c.item_code, c.document_id, c.details, c.published_in
        )
        for c in session.scalars(query)
    ]


def _readable(field: str, value: Any) -> Any:
    """Legal bases diff as citations a person reads (with 已废止 marks); the rest as stored."""
    if field != "legal_bases":
        return value
    bases = [LegalBasisView.from_json(b) for b in value]
    return [f"{b.level.label_zh}{b.citation}" + ("（已废止）" if b.repealed else "") for b in bases]


def _listed(item: dict[str, Any] | None) -> bool:
    return item is not None and item["status"] != ProofItemStatus.ABOLISHED.value


def diff_snapshots(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> dict[str, Any]:
    """Added, removed (abolished or gone) and changed items, the latter field by field."""
    before = {item["code"]: item for item in old}
    after = {item["code"]: item for item in new}
    added, removed, changed = [], [], []
    for code in sorted(before.keys() | after.keys()):
        was, now = before.get(code), after.get(code)
        if not _listed(was) and _listed(now):
            assert now is not None
            added.append(now)
        elif _listed(was) and not _listed(now):
            assert was is not None
            removed.append(
                {
                    "code": code,
                    "name": was["name"],
                    "abolition_reason": now["abolition_reason"] if now else None,
                }
            )
        elif was is not None and now is not None:
            fields = [
                {"field": f, "before": _readable(f, was.get(f)), "after": _readable(f, now.get(f))}
                for f in DIFF_FIELDS
                if was.get(f) != now.get(f)
            ]
            if fields:
                changed.append({"code": code, "name": now["name"], "changes": fields})
    return {"added": added, "removed": removed, "changed": changed}


def diff(session: Session, v1: int, v2: int) -> dict[str, Any]:
    """What changed from published version ``v1`` to ``v2`` (JSON-able)."""
    old, new = _version_row(session, v1), _version_row(session, v2)
    return {
        "from": {"version": v1, "published_at": old.published_at.isoformat()},
        "to": {"version": v2, "published_at": new.published_at.isoformat(), "reason": new.reason},
        **diff_snapshots(old.snapshot, new.snapshot),
    }
