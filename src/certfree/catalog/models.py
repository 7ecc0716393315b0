"""Tables of the data resource catalog (政务信息资源目录) and of the demand list.

* ``catalog_resources`` — one row per resource, with the core metadata of GB/T 21063.3 /
  编制指南 §5 (classification, code, name, abstract, provider and its code, format, data items,
  share attributes, open attribute, update cycle, release date, related resources);
* ``catalog_demands`` — a consuming department's registered need (供需对接的"需求清单").

Data items are stored as JSON on the resource: they are always read and written with it, and
the matcher indexes them together with the name and abstract.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from certfree.catalog.vocab import OpenType, ShareMethod, ShareType, UpdateCycle
from certfree.storage import Base, UTCDateTime, enum_by_value, utcnow

__all__ = ["Base", "Demand", "Resource"]


class Resource(Base):
    """One government information resource of the catalog."""

    __tablename__ = "catalog_resources"
    __table_args__ = (Index("ix_catalog_resources_provider_code", "provider_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # 编制指南 §6.2: 信息资源代码 = 前段码 (classification: 类 1 digit, 项 2, 目 3, 细目 …)
    # "/" 后段码 (sequence); the two parts are kept apart for allocation.
    code: Mapped[str] = mapped_column(String(48), unique=True)
    class_code: Mapped[str] = mapped_column(String(24), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200), index=True)
    abstract: Mapped[str] = mapped_column(Text)
    provider: Mapped[str] = mapped_column(String(100), index=True)
    provider_code: Mapped[str] = mapped_column(String(40))
    region: Mapped[str | None] = mapped_column(String(60))
    theme: Mapped[str | None] = mapped_column(String(60))  # portal theme (open-data sources)
    format: Mapped[str] = mapped_column(String(100))
    # [{name, type, description, classification, grade}] — see resources.DataItem
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    share_type: Mapped[ShareType] = mapped_column(enum_by_value(ShareType))
    share_conditions: Mapped[str | None] = mapped_column(Text)  # when conditional
    unshared_basis: Mapped[str | None] = mapped_column(Text)  # legal reason when not shared
    share_method: Mapped[ShareMethod] = mapped_column(enum_by_value(ShareMethod))
    open_type: Mapped[OpenType] = mapped_column(enum_by_value(OpenType))
    update_cycle: Mapped[UpdateCycle] = mapped_column(enum_by_value(UpdateCycle))
    released: Mapped[dt.date] = mapped_column(Date)
    related: Mapped[list[str]] = mapped_column(JSON, default=list)  # codes of related resources
    source_url: Mapped[str | None] = mapped_column(String(500), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class Demand(Base):
    """A consuming department's need for data, and what matching found for it."""

    __tablename__ = "catalog_demands"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    department: Mapped[str] = mapped_column(String(100), index=True)
    department_code: Mapped[str | None] = mapped_column(String(40))
    scenario: Mapped[str] = mapped_column(String(200))  # 应用场景 or 政务服务事项
    text: Mapped[str] = mapped_column(Text)  # the data wanted, in free text
    items: Mapped[list[str]] = mapped_column(JSON, default=list)  # data items wanted
    purpose: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    calls_per_day: Mapped[int] = mapped_column(Integer, default=0)  # expected call volume
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
