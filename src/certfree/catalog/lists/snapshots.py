"""The two lists (供需两张清单): publish, read back, export.

The supply list is every catalog resource with its share attributes; the demand list is every
registered demand with whether matching met it. Publishing takes a dated snapshot of each
(:class:`ListSnapshot`): rows in a fixed order, serialised canonically as JSON Lines (one row
per line, sorted keys, no spaces), so the same catalog always yields the same SHA-256 — a
reader can check a download — and a page of a 350,000-row list parses only its own lines.

Counts, shown on the page and in the reports:

* ``by_provider`` — supply: resources per provider; demand: demands per department;
* ``by_share_type`` — supply: resources per share type; demand: the share type of the best
  candidate of each matched demand (what the department will have to go through);
* ``by_match_status`` — demand: ``matched`` (best candidate scores ≥ the threshold of
  :mod:`catalog.matching`) or ``gap``; supply: ``matched`` (a candidate ≥ the threshold, among
  the top five, of some demand) or ``unmatched``.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import itertools
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.catalog.demands import demand_query, list_demands
from certfree.catalog.errors import InvalidListRequest, ListNotPublished
from certfree.catalog.index import ResourceIndex
from certfree.catalog.lists.models import ListKind, ListSnapshot
from certfree.catalog.lists.spreadsheet import write_xlsx
from certfree.catalog.matching import GAP_THRESHOLD, Candidate, match
from certfree.catalog.models import Resource
from certfree.catalog.resources import item_names
from certfree.catalog.vocab import class_label, label_zh
from certfree.storage import utcnow
from certfree.tabular import escape_cell

__all__ = [
    "COLUMNS",
    "EXPORT_FORMATS",
    "MATCH_TOP",
    "SHANGHAI",
    "export_snapshot",
    "get_snapshot",
    "list_rows",
    "list_snapshots",
    "publish_lists",
    "snapshot_json",
    "snapshot_rows",
]

MATCH_TOP = 5  # candidates per demand that count a resource as matched (the list's "top 5")
SHANGHAI = ZoneInfo("Asia/Shanghai")
EXPORT_FORMATS = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Column key → (Chinese, English) header; the order of the CSV/XLSX columns and of the page.
COLUMNS: dict[ListKind, dict[str, tuple[str, str]]] = {
    ListKind.SUPPLY: {
        "code": ("资源代码", "Code"),
        "name": ("资源名称", "Name"),
        "provider": ("提供方", "Provider"),
        "provider_code": ("提供方代码", "Provider code"),
        "class_name": ("资源分类", "Class"),
        "items": ("信息项", "Data items"),
        "share_type": ("共享类型", "Share type"),
        "share_type_zh": ("共享类型（中文）", "Share type (zh)"),
        "share_conditions": ("共享条件", "Conditions"),
        "unshared_basis": ("不予共享依据", "Basis for not sharing"),
        "share_method": ("共享方式", "Share method"),
        "open_type": ("开放类型", "Open type"),
        "update_cycle": ("更新周期", "Update cycle"),
        "released": ("发布日期", "Released"),
        "match_status": ("对接状态", "Match status"),
    },
    ListKind.DEMAND: {
        "id": ("需求编号", "No."),
        "department": ("需求部门", "Department"),
        "department_code": ("部门代码", "Department code"),
        "scenario": ("应用场景", "Scenario"),
        "text": ("所需数据", "Data wanted"),
        "items": ("所需信息项", "Data items"),
        "purpose": ("用途", "Purpose"),
        "legal_basis": ("依据", "Legal basis"),
        "calls_per_day": ("预计日调用量", "Calls per day"),
        "registered": ("登记日期", "Registered"),
        "match_status": ("对接状态", "Match status"),
        "best_code": ("最佳匹配资源代码", "Best match code"),
        "best_name": ("最佳匹配资源", "Best match"),
        "best_provider": ("最佳匹配提供方", "Best match provider"),
        "best_share_type": ("最佳匹配共享类型", "Best match share type"),
        "best_score": ("匹配得分", "Score"),
    },
}


def _parse_kind(kind: str | ListKind) -> ListKind:
    try:
        return ListKind(kind)
    except ValueError:
        raise InvalidListRequest(
            f"清单类型应为 supply（供给）或 demand（需求），收到「{kind}」", field="kind"
        ) from None


def _matches(
    session: Session, index: ResourceIndex, threshold: float
) -> tuple[list[tuple[Any, list[Candidate]]], set[str]]:
    """Each demand with its candidates; codes of resources some demand matched."""
    found = []
    matched: set[str] = set()
    for demand in list_demands(session):
        text, items = demand_query(demand)
        candidates = match(index, text, items, top=MATCH_TOP)
        found.append((demand, candidates))
        matched.update(c.code for c in candidates if c.score >= threshold)
    return found, matched


def _supply(session: Session, matched: set[str]) -> list[dict[str, Any]]:
    query = select(
        Resource.code, Resource.name, Resource.provider, Resource.provider_code,
        Resource.class_code, Resource.items, Resource.share_type, Resource.share_conditions,
        Resource.unshared_basis, Resource.share_method, Resource.open_type,
        Resource.update_cycle, Resource.released,
    ).where(Resource.origin_node == "").order_by(Resource.code)  # fmt: skip
    # A node lists what it supplies itself; resources harvested from other nodes are theirs.
    rows = []
    for r in session.execute(query.execution_options(yield_per=5000)):
        rows.append({
            "code": r.code, "name": r.name, "provider": r.provider,
            "provider_code": r.provider_code, "class_name": class_label(r.class_code),
            "items": item_names(r.items),
            "share_type": r.share_type.value, "share_type_zh": label_zh(r.share_type),
            "share_conditions": r.share_conditions, "unshared_basis": r.unshared_basis,
            "share_method": r.share_method.value, "open_type": r.open_type.value,
            "update_cycle": r.update_cycle.value, "released": r.released.isoformat(),
            "match_status": "matched" if r.code in matched else "unmatched",
        })  # fmt: skip
    return rows


def _demand(
    session: Session, found: Sequence[tuple[Any, list[Candidate]]], threshold: float
) -> list[dict[str, Any]]:
    best = {d.id: c[0] for d, c in found if c and c[0].score >= threshold}
    codes = {c.code for c in best.values()}
    query = select(Resource.code, Resource.share_type).where(Resource.code.in_(codes))
    share = dict(session.execute(query).all()) if codes else {}
    rows = []
    for demand, _ in found:
        top = best.get(demand.id)
        rows.append({
            "id": demand.id, "department": demand.department,
            "department_code": demand.department_code, "scenario": demand.scenario,
            "text": demand.text, "items": list(demand.items or []), "purpose": demand.purpose,
            "legal_basis": demand.legal_basis, "calls_per_day": demand.calls_per_day,
            "registered": demand.created_at.astimezone(SHANGHAI).date().isoformat(),
            "match_status": "matched" if top else "gap",
            "best_code": top.code if top else None, "best_name": top.name if top else None,
            "best_provider": top.provider if top else None,
            "best_share_type": share[top.code].value if top and top.code in share else None,
            "best_score": round(top.score, 4) if top else None,
        })  # fmt: skip
    return rows


def _counts(kind: ListKind, rows: Sequence[dict[str, Any]], threshold: float) -> dict[str, Any]:
    def tally(values: Iterable[Any]) -> dict[str, int]:
        counted = Counter(str(v) for v in values if v is not None)
        return dict(sorted(counted.items(), key=lambda kv: (-kv[1], kv[0])))

    owner = "provider" if kind is ListKind.SUPPLY else "department"
    share = "share_type" if kind is ListKind.SUPPLY else "best_share_type"
    return {
        "total": len(rows),
        "by_provider": tally(r[owner] for r in rows),
        "by_share_type": tally(r[share] for r in rows),
        "by_match_status": tally(r["match_status"] for r in rows),
        "threshold": threshold,
    }


def _canonical(rows: Sequence[dict[str, Any]]) -> bytes:
    """JSON Lines: one canonical JSON object per row (JSON escapes newlines inside strings)."""
    return "\n".join(
        json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":")) for row in rows
    ).encode()


def list_rows(
    session: Session, index: ResourceIndex, *, threshold: float = GAP_THRESHOLD
) -> dict[ListKind, list[dict[str, Any]]]:
    """The rows of both lists as of now (what publishing would store)."""
    found, matched = _matches(session, index, threshold)
    return {
        ListKind.SUPPLY: _supply(session, matched),
        ListKind.DEMAND: _demand(session, found, threshold),
    }


def publish_lists(
    session: Session,
    index: ResourceIndex,
    *,
    published_by: str,
    on: dt.date | None = None,
    threshold: float = GAP_THRESHOLD,
) -> list[ListSnapshot]:
    """Snapshot both lists under ``on`` (default: today in Asia/Shanghai); replaces that day's."""
    at = utcnow()
    day = on or at.astimezone(SHANGHAI).date()
    snapshots = []
    for kind, rows in list_rows(session, index, threshold=threshold).items():
        body = _canonical(rows)
        snapshot = session.scalar(
            select(ListSnapshot).where(ListSnapshot.kind == kind, ListSnapshot.date == day)
        ) or ListSnapshot(kind=kind, date=day)
        snapshot.content_hash = hashlib.sha256(body).hexdigest()
        snapshot.row_count = len(rows)
        snapshot.counts = _counts(kind, rows, threshold)
        snapshot.content = gzip.compress(body, mtime=0)
        snapshot.published_by = published_by
        snapshot.published_at = at
        session.add(snapshot)
        snapshots.append(snapshot)
    session.flush()
    return snapshots


def list_snapshots(session: Session, kind: str | ListKind | None = None) -> list[ListSnapshot]:
    """Published snapshots, newest date first."""
    query = select(ListSnapshot).order_by(ListSnapshot.date.desc(), ListSnapshot.kind)
    if kind is not None:
        query = query.where(ListSnapshot.kind == _parse_kind(kind))
    return list(session.scalars(query))


def get_snapshot(
    session: Session, kind: str | ListKind, on: dt.date | str | None = None
) -> ListSnapshot:
    """The snapshot of ``kind`` published on ``on`` (a date, ``YYYY-MM-DD`` or ``latest``)."""
    shown = _parse_kind(kind)
    query = select(ListSnapshot).where(ListSnapshot.kind == shown)
    if isinstance(on, str) and on != "latest":
        try:
            on = dt.date.fromisoformat(on)
        except ValueError:
            message = f"「{on}」不是日期（应为 2026-01-31 或 latest）"
            raise InvalidListRequest(message, field="date") from None
    if isinstance(on, dt.date):
        query = query.where(ListSnapshot.date == on)
    found = session.scalar(query.order_by(ListSnapshot.date.desc()).limit(1))
    if found is None:
        when = f"{on} 的" if isinstance(on, dt.date) else ""
        raise ListNotPublished(f"{shown.zh}尚未发布{when}版本", field="date")
    return found


def _lines(snapshot: ListSnapshot) -> list[bytes]:
    """The published rows' lines, checked against the stored hash."""
    body = gzip.decompress(snapshot.content)
    if hashlib.sha256(body).hexdigest() != snapshot.content_hash:
        raise ListNotPublished(f"清单快照 {snapshot.id} 内容与其摘要不符", field="date")
    return body.split(b"\n") if body else []


def snapshot_rows(
    snapshot: ListSnapshot, start: int = 0, stop: int | None = None
) -> list[dict[str, Any]]:
    """The rows as published (``[start:stop]`` of them), checked against the stored hash."""
    return [json.loads(line) for line in _lines(snapshot)[start:stop]]


def snapshot_json(snapshot: ListSnapshot, *, rows: bool = False) -> dict[str, Any]:
    """The snapshot's metadata and counts (and its rows when asked)."""
    data: dict[str, Any] = {
        "kind": snapshot.kind.value,
        "kind_zh": snapshot.kind.zh,
        "date": snapshot.date.isoformat(),
        "content_hash": snapshot.content_hash,
        "row_count": snapshot.row_count,
        "counts": snapshot.counts,
        "published_by": snapshot.published_by,
        "published_at": snapshot.published_at.isoformat(),
    }
    if rows:
        data["rows"] = snapshot_rows(snapshot)
    return data


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "；".join(str(v) for v in value)
    return value


def export_snapshot(snapshot: ListSnapshot, fmt: str) -> bytes:
    """The snapshot as JSON (metadata, counts, rows), CSV (UTF-8 with BOM, for Excel; one
    header row of column keys) or XLSX (the list sheet plus a 统计 counts sheet).

    In CSV and XLSX, text a spreadsheet would run as a formula is written behind a single
    quote (:func:`certfree.tabular.escape_cell`); the catalog import drops it again.
    """
    if fmt not in EXPORT_FORMATS:
        raise InvalidListRequest(f"导出格式应为 json、csv 或 xlsx，收到「{fmt}」", field="format")
    if fmt == "json":
        # The rows spliced in as published, one per line, so a 350,000-row list is not
        # re-encoded (and each line hashes as stored).
        head = json.dumps(snapshot_json(snapshot), ensure_ascii=False)[:-1]
        return b"".join((head.encode(), b',"rows":[\n', b",\n".join(_lines(snapshot)), b"\n]}"))
    columns = list(COLUMNS[snapshot.kind])
    # One row parsed at a time: a 350,000-row list never sits in memory as dicts.
    rows = (json.loads(line) for line in _lines(snapshot))
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows([escape_cell(_cell(row.get(key))) for key in columns] for row in rows)
        return text.getvalue().encode("utf-8-sig")
    stats: list[list[Any]] = [["dimension", "key", "count"]]
    for dimension in ("by_provider", "by_share_type", "by_match_status"):
        stats += [[dimension, k, n] for k, n in snapshot.counts.get(dimension, {}).items()]
    stats.append(["total", None, snapshot.row_count])
    listed = itertools.chain([columns], ([_cell(row.get(k)) for k in columns] for row in rows))
    return write_xlsx([(snapshot.kind.zh, listed), ("统计", stats)])
