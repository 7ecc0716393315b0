"""Published supply and demand lists (供给清单 / 需求清单) as dated snapshots.

One row per list and date: the rows as published (canonical JSON, gzip-compressed so that a
350,000-resource supply list stays a few megabytes), their SHA-256 (over the uncompressed
canonical JSON, so anyone can check a download against it), and the counts shown on the page.
Publishing again on the same date replaces that date's snapshot.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Date, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from certfree.storage import Base, UTCDateTime, enum_by_value, utcnow

__all__ = ["ListKind", "ListSnapshot"]


class ListKind(enum.StrEnum):
    SUPPLY = "supply"  # 供给清单: the shared resources
    DEMAND = "demand"  # 需求清单: the registered demands and whether they were met

    @property
    def zh(self) -> str:
        return "供给清单" if self is ListKind.SUPPLY else "需求清单"

    @property
    def en(self) -> str:
        return "Supply list" if self is ListKind.SUPPLY else "Demand list"


class ListSnapshot(Base):
    __tablename__ = "catalog_list_snapshots"
    __table_args__ = (UniqueConstraint("kind", "date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[ListKind] = mapped_column(enum_by_value(ListKind))
    date: Mapped[dt.date] = mapped_column(Date)
    content_hash: Mapped[str] = mapped_column(String(64))  # hex SHA-256 of the canonical JSON
    row_count: Mapped[int] = mapped_column(Integer)
    # {"by_provider": {...}, "by_share_type": {...}, "by_match_status": {...}, "threshold": 0.3}
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    content: Mapped[bytes] = mapped_column(LargeBinary)  # gzip of the canonical JSON rows
    published_by: Mapped[str] = mapped_column(String(128))
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
