"""Tables of the data resource catalog (政务信息资源目录) and of the demand list.

* ``catalog_resources`` — one row per resource, with the core metadata of GB/T 21063.3 /
  编制指南 §5 (classification, code, name, abstract, provider and its code, format, data items,
  share attributes, open attribute, update cycle, release date, related resources);
* ``catalog_demands`` — a consuming department's registered need (供需对接的"需求清单");
* ``catalog_tombstones`` and ``catalog_feed`` — the change feed other nodes harvest
  (``catalog.changes``): every local write stamps the resource with the next ``change_seq``,
  every deletion leaves a tombstone under its own sequence number.

``origin_node`` is empty for this node's own resources and the origin node's code for those
harvested from it (``catalog.harvesting``); codes are unique per origin.

Data items are stored as JSON on the resource: they are always read and written with it, and
the matcher indexes them together with the name and abstract.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from certfree.catalog.vocab import OpenType, ShareMethod, ShareType, UpdateCycle
from certfree.storage import Base, UTCDateTime, enum_by_value, utcnow

__all__ = ["Base", "ChangeFeed", "Demand", "Resource", "Tombstone"]


class Resource(Base):
    """One government information resource of the catalog."""

    __tablename__ = "catalog_resources"
    __table_args__ = (
        Index("ix_catalog_resources_provider_code", "provider_code"),
        UniqueConstraint("origin_node", "code"),
        UniqueConstraint("origin_node", "source_url"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # 编制指南 §6.2: 信息资源代码 = 前段码 (classification: 类 1 digit, 项 2, 目 3, 细目 …)
    # "/" 后段码 (sequence); the two parts are kept apart for allocation.
    code: Mapped[str] = mapped_column(String(48))
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
    source_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # "" for this node's own resources, else the code of the node it was harvested from.
    origin_node: Mapped[str] = mapped_column(String(16), default="", server_default="")
    # Position in this node's change feed (catalog.changes); None on harvested resources,
    # which a node does not publish again.
    change_seq: Mapped[int | None] = mapped_column(Integer, index=True)


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


class Tombstone(Base):
    """A deleted local resource, kept so that harvesters learn of the deletion."""

    __tablename__ = "catalog_tombstones"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(48))
    deleted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ChangeFeed(Base):
    """The one row holding the feed's last sequence number and its identity.

    Writers take sequence numbers by updating this row, which holds its lock until they
    commit: numbers become visible in the order they were taken (see catalog.changes).
    ``feed_id`` is drawn when the row is made; a harvester that sees another one knows the
    node's catalog was rebuilt and starts again from the beginning.
    """

    __tablename__ = "catalog_feed"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    feed_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
