"""Counting important data and sensitive personal information that leave the node, and the
bureau's report of it.

数据安全法 第21条 puts important data under stricter protection and 第30条 has its processors
report on their handling of it; 个人信息保护法 第28条 singles out sensitive personal
information. Each answer or export that carries such a field adds one row per field
(:func:`record_egress`), in the caller's transaction — the one that logs the answer — so the
count cannot drift from the audit log. :func:`egress_report` sums them for the bureau: who
received what, from which question or resource, how many records, for what purpose, per day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from certfree.auth import Principal, Role
from certfree.classification import IMPORTANT_GRADE
from certfree.errors import Forbidden, InvalidInput
from certfree.governance.egress.models import EgressRecord

__all__ = ["CarriedField", "egress_report", "record_egress", "region_of", "region_prefix"]

BEIJING = ZoneInfo("Asia/Shanghai")  # the day a record counts for is the day in China


class CarriedField(Protocol):
    """A field an answer carried, with its label (``catalog.FieldGrade`` is one)."""

    @property
    def name(self) -> str: ...

    @property
    def data_class(self) -> str | None: ...

    @property
    def grade(self) -> int | None: ...

    @property
    def sensitive(self) -> bool: ...


def record_egress(
    session: Session,
    *,
    provider: str,
    recipient: str,
    fields: Sequence[CarriedField],
    records: int,
    purpose: str,
    at: dt.datetime,
    service_item: str | None = None,
    question: str | None = None,
    resource_code: str | None = None,
    message_id: str | None = None,
) -> list[EgressRecord]:
    """Add a row for each of ``fields`` that is important data (grade ≥ 5) or sensitive
    personal information; the others leave no row. Returns the rows added (not flushed)."""
    rows = []
    for field in fields:
        important = field.grade is not None and field.grade >= IMPORTANT_GRADE
        if not (important or field.sensitive):
            continue
        row = EgressRecord(
            day=at.astimezone(BEIJING).date(),
            at=at,
            provider=provider[:40],
            recipient=recipient[:40],
            question=question,
            resource_code=resource_code,
            field=field.name[:64],
            data_class=field.data_class,
            grade=field.grade,
            important=important,
            sensitive=field.sensitive,
            records=max(1, records),
            service_item=service_item[:200] if service_item else None,
            purpose=(purpose or service_item or "")[:255],
            message_id=message_id,
        )
        session.add(row)
        rows.append(row)
    return rows


def region_of(principal: Principal, asked: str | None) -> str | None:
    """The region whose egress ``principal`` may read: the one asked (None: all) for the
    bureau; for a CIO its own region (token ``org``) or a division within it, Forbidden else."""
    if principal.role is not Role.CIO:
        return asked
    own = principal.organisation
    if not own:
        raise Forbidden("首席信息官的令牌须注明所辖区域（org：行政区划代码）")
    if asked is not None and not region_prefix(asked).startswith(region_prefix(own)):
        raise Forbidden(f"只能查看本区域（{own}）的数据对外提供统计，不能查看 {asked} 的")
    return asked or own


def region_prefix(division: str) -> str:
    """The code prefix every node of a GB/T 2260 division shares: 370100 → 3701, 370000 → 37
    (a department node 370100-MZ belongs to 3701). InvalidInput names ``region`` otherwise."""
    code = division.strip().split("-", 1)[0]
    if len(code) != 6 or not code.isdigit():
        raise InvalidInput(f"区域应为 6 位行政区划代码，收到 {division!r}", field="region")
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return code


def egress_report(
    session: Session,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    region: str | None = None,
) -> dict[str, Any]:
    """Important data and sensitive personal information that left, summed per day, provider,
    recipient, question or resource, field and purpose; ``since``/``until`` are days (Beijing,
    inclusive), ``region`` a division whose nodes (as provider or recipient) are kept."""
    if since is not None and until is not None and until < since:
        raise InvalidInput(f"截止日 {until} 早于起始日 {since}", field="until")
    query = select(EgressRecord).order_by(EgressRecord.day, EgressRecord.id)
    if since is not None:
        query = query.where(EgressRecord.day >= since)
    if until is not None:
        query = query.where(EgressRecord.day <= until)
    if region is not None:
        prefix = region_prefix(region)
        query = query.where(
            or_(EgressRecord.provider.startswith(prefix), EgressRecord.recipient.startswith(prefix))
        )
    lines: dict[tuple[Any, ...], dict[str, Any]] = {}
    totals = {"important_records": 0, "sensitive_records": 0, "answers": 0}
    messages: set[str] = set()
    for row in session.scalars(query):
        key = (row.day, row.provider, row.recipient, row.question, row.resource_code, row.field,
               row.purpose)  # fmt: skip
        line = lines.setdefault(
            key,
            {
                "day": row.day.isoformat(),
                "provider": row.provider,
                "recipient": row.recipient,
                "question": row.question,
                "resource_code": row.resource_code,
                "field": row.field,
                "data_class": row.data_class,
                "grade": row.grade,
                "important": row.important,
                "sensitive": row.sensitive,
                "purpose": row.purpose,
                "service_item": row.service_item,
                "records": 0,
                "times": 0,
            },
        )
        line["records"] += row.records
        line["times"] += 1
        totals["important_records"] += row.records if row.important else 0
        totals["sensitive_records"] += row.records if row.sensitive else 0
        messages.add(row.message_id or f"row-{row.id}")
    totals["answers"] = len(messages)
    return {
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "region": region,
        "totals": totals,
        "lines": list(lines.values()),
    }
