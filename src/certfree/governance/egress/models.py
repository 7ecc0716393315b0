"""The ``egress_records`` table: important data and sensitive personal information that left
this node, one row per field of each answer or export that carried it.

Rows are written in the transaction that logs the answer (``exchange.answering``), so the count
and the audit log cannot disagree: a row exists exactly when the answer's audit entry does,
and ``message_id`` names that entry. Rows are only ever added.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from certfree.storage import Base, UTCDateTime

__all__ = ["EgressRecord"]


class EgressRecord(Base):
    __tablename__ = "egress_records"
    __table_args__ = (
        Index("ix_egress_records_day", "day"),
        Index("ix_egress_records_recipient", "recipient"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[dt.date] = mapped_column(Date)  # the day in Beijing time (the report's unit)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    provider: Mapped[str] = mapped_column(String(40))  # the node (or hosted department) releasing
    recipient: Mapped[str] = mapped_column(String(40))  # the consumer node that received it
    question: Mapped[str | None] = mapped_column(String(64))
    resource_code: Mapped[str | None] = mapped_column(String(48))
    field: Mapped[str] = mapped_column(String(64))  # the data item (question) or item name
    data_class: Mapped[str | None] = mapped_column(String(64))
    grade: Mapped[int | None] = mapped_column(Integer)
    important: Mapped[bool] = mapped_column(Boolean)  # grade ≥ 5 (数据安全法 第21条)
    sensitive: Mapped[bool] = mapped_column(Boolean)  # 敏感个人信息 (个人信息保护法 第28条)
    records: Mapped[int] = mapped_column(Integer)  # data subjects (rows) the answer is about
    service_item: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(255))
    message_id: Mapped[str | None] = mapped_column(String(64))  # the audit entry's message
