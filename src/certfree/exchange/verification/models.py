"""Tables of department verification (部门核验): asynchronous requests to a department node.

One table, ``dept_verifications``, holds both sides of every request, told apart by ``side``:

* ``outbox`` — at the consumer node (the desk): what it asked, and what it was told;
* ``inbox`` — at the department node: what it must answer, and what it answered.

Both sides share one model because they carry the same facts and the same lifecycle; each
node only ever holds its own side, except when one node asks itself (tests, or a desk and a
department behind one node). ``request_id`` is the consumer's UUID and the idempotency key
of every message about the request, so it is unique per side, not per table.

``delivery`` says whether this side still owes its peer a message: the outbox owes the
request (or its withdrawal), the inbox owes the answer. Messages are sent when the state
changes and, if the peer was unreachable, again by ``certfree exchange deliver-pending``.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from certfree.storage import Base, UTCDateTime, enum_by_value, utcnow

__all__ = [
    "DeliveryState",
    "DeptVerification",
    "VerificationOutcome",
    "VerificationSide",
    "VerificationStatus",
]


class VerificationSide(enum.StrEnum):
    OUTBOX = "outbox"  # at the consumer: what I asked
    INBOX = "inbox"  # at the department: what I must answer

    @property
    def zh(self) -> str:
        return {"outbox": "发出的核验", "inbox": "待办核验"}[self.value]


class VerificationStatus(enum.StrEnum):
    """Where a request is in its life. ``overdue`` is never stored: a pending request past
    its deadline is overdue (see
    :func:`certfree.exchange.verification.requests.effective_status`)."""

    PENDING = "pending"
    ANSWERED = "answered"
    WITHDRAWN = "withdrawn"
    OVERDUE = "overdue"

    @property
    def zh(self) -> str:
        return {
            "pending": "待核验",
            "answered": "已答复",
            "withdrawn": "已撤回",
            "overdue": "已逾期",
        }[self.value]


class VerificationOutcome(enum.StrEnum):
    CONFIRMED = "confirmed"
    NOT_CONFIRMED = "not_confirmed"
    CANNOT_DETERMINE = "cannot_determine"

    @property
    def zh(self) -> str:
        return {
            "confirmed": "属实",
            "not_confirmed": "不属实",
            "cannot_determine": "无法核实",
        }[self.value]


class DeliveryState(enum.StrEnum):
    NOTHING = "nothing"  # this side owes its peer no message (an inbox before its answer)
    QUEUED = "queued"  # a message is owed: not yet acknowledged by the peer
    DELIVERED = "delivered"  # the peer acknowledged the last message
    REFUSED = "refused"  # the peer signed a refusal (bad field, id reused): resending won't help

    @property
    def zh(self) -> str:
        return {
            "nothing": "无需投递",
            "queued": "待投递",
            "delivered": "已送达",
            "refused": "对方拒收",
        }[self.value]


class DeptVerification(Base):
    """One side of one department verification request."""

    __tablename__ = "dept_verifications"
    __table_args__ = (
        UniqueConstraint("request_id", "side"),
        Index("ix_dept_verifications_side_status", "side", "status"),
        Index("ix_dept_verifications_delivery", "delivery"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(36))
    side: Mapped[VerificationSide] = mapped_column(enum_by_value(VerificationSide))
    consumer_code: Mapped[str] = mapped_column(String(16))
    department_code: Mapped[str] = mapped_column(String(16))
    # GB 11643 ID number or GB 32100 USCC of the person or organisation the fact is about.
    subject_id: Mapped[str] = mapped_column(String(18))
    fact: Mapped[str] = mapped_column(Text)
    supporting: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    service_item: Mapped[str] = mapped_column(String(96))
    purpose: Mapped[str] = mapped_column(String(255))
    requested_by: Mapped[str] = mapped_column(String(128))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deadline: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    status: Mapped[VerificationStatus] = mapped_column(enum_by_value(VerificationStatus))
    outcome: Mapped[VerificationOutcome | None] = mapped_column(enum_by_value(VerificationOutcome))
    note: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(128))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by: Mapped[str | None] = mapped_column(String(128))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    delivery: Mapped[DeliveryState] = mapped_column(enum_by_value(DeliveryState))
    delivery_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_delivery_error: Mapped[str | None] = mapped_column(Text)
    # The peer's signed message (compact JWS) as received: at the inbox the request, at the
    # outbox the answer, so either side can later prove what it was asked or told.
    received_jws: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"DeptVerification({self.request_id!r}, {self.side.value}, {self.status.value})"
