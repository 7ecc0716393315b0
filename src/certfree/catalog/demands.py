"""Demands: a consuming department registers the data it needs (the demand list, 需求清单).

A demand names the scenario or service item it serves, the data wanted (free text, data items,
or both), the purpose, its legal basis and the expected call volume; each fault raises
:class:`InvalidDemand` naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.catalog.errors import DemandNotFound, InvalidDemand
from certfree.catalog.models import Demand

__all__ = ["demand_json", "demand_query", "get_demand", "list_demands", "register_demand"]

_LIMITS = {"department": 100, "department_code": 40, "scenario": 200}


def _text(data: Mapping[str, Any], field: str, *, required: bool = True) -> str:
    text = str(data.get(field) or "").strip()
    if required and not text:
        raise InvalidDemand("不能为空", field=field)
    limit = _LIMITS.get(field, 4000)
    if len(text) > limit:
        raise InvalidDemand(f"过长（{len(text)} 字，上限 {limit}）", field=field)
    return text


def _items(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = re.split(r"[;；,，、\n]+", raw)
    if not isinstance(raw, Sequence):
        raise InvalidDemand("应为信息项名称列表", field="items")
    names = [str(name).strip() for name in raw if str(name).strip()]
    for index, name in enumerate(names):
        if len(name) > 100:
            raise InvalidDemand("信息项名称过长（上限 100 字）", field=f"items[{index}]")
    return names


def register_demand(session: Session, data: Mapping[str, Any]) -> Demand:
    """Validate and store a demand given as field → value.

    ``text`` or ``items`` must say what data is wanted; ``calls_per_day`` is a whole number
    ≥ 0 (the expected call volume, used to rank the gap list).
    """
    text = _text(data, "text", required=False)
    items = _items(data.get("items"))
    if not text and not items:
        raise InvalidDemand("须写明所需数据（text）或列出所需信息项（items）", field="text")
    raw_calls = data.get("calls_per_day", 0)
    try:
        calls = int(str(raw_calls or 0).strip())
    except ValueError:
        raise InvalidDemand(f"「{raw_calls}」不是整数", field="calls_per_day") from None
    if calls < 0:
        raise InvalidDemand("不能为负数", field="calls_per_day")
    row = Demand(
        department=_text(data, "department"),
        department_code=_text(data, "department_code", required=False) or None,
        scenario=_text(data, "scenario"),
        text=text,
        items=items,
        purpose=_text(data, "purpose"),
        legal_basis=_text(data, "legal_basis"),
        calls_per_day=calls,
    )
    session.add(row)
    session.flush()
    return row


def get_demand(session: Session, demand_id: int) -> Demand:
    row = session.get(Demand, demand_id)
    if row is None:
        raise DemandNotFound(f"没有编号为 {demand_id} 的数据需求", field="id")
    return row


def list_demands(session: Session, *, department_code: str | None = None) -> list[Demand]:
    query = select(Demand).order_by(Demand.id)
    if department_code:
        query = query.where(Demand.department_code == department_code)
    return list(session.scalars(query))


def demand_query(row: Demand) -> tuple[str, list[str]]:
    """What the matcher reads of a demand: its free text and its data items.

    The scenario is left out: a service item's name (企业开办) says why, not which data.
    """
    return row.text, list(row.items or [])


def demand_json(row: Demand) -> dict[str, Any]:
    return {
        "id": row.id,
        "department": row.department,
        "department_code": row.department_code,
        "scenario": row.scenario,
        "text": row.text,
        "items": list(row.items or []),
        "purpose": row.purpose,
        "legal_basis": row.legal_basis,
        "calls_per_day": row.calls_per_day,
        "created_at": row.created_at.isoformat(),
    }
