"""Tables of data-subject requests (个人信息主体的权利, PIPL 第44–50条).

* ``subject_requests`` — a correction (更正、补充, PIPL 第46条) of a fact a department holds.
  Like department verification, one table holds both sides of a request, told apart by
  ``side``: ``home`` at the node where the citizen asked (their copy, which they see on /me),
  ``department`` at the department node that owns the fact (its inbox). ``request_id`` is
  the citizen node's UUID and the idempotency key of every message about the request.
  ``delivery`` says whether this side still owes its peer a message (the home side the
  request, the department side its answer).
* ``subject_objections`` — an objection to a use of one's data (PIPL 第44条 决定权: 限制或者
  拒绝他人对其个人信息进行处理), by use kind: from when it is made, this node asks no question of
  that kind about the person; withdrawing it lets later uses go ahead.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from certfree.storage import Base, UTCDateTime, enum_by_value, utcnow

__all__ = [
    "CorrectionStatus",
    "Delivery",
    "RequestSide",
    "SubjectObjection",
    "SubjectRequest",
]


class RequestSide(enum.StrEnum):
    HOME = "home"  # at the citizen's node: what they asked
    DEPARTMENT = "department"  # at the department node: what it must answer


class CorrectionStatus(enum.StrEnum):
    """Where a correction is; ``overdue`` is never stored (pending past the deadline)."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    OVERDUE = "overdue"

    @property
    def zh(self) -> str:
        return {
            "pending": "办理中",
            "accepted": "已更正",
            "refused": "不予更正",
            "overdue": "已逾期",
        }[self.value]

    @property
    def en(self) -> str:
        return {
            "pending": "pending",
            "accepted": "corrected",
            "refused": "refused",
            "overdue": "overdue",
        }[self.value]


class Delivery(enum.StrEnum):
    NOTHING = "nothing"  # this side owes no message (a department inbox before its answer)
    QUEUED = "queued"  # a message is owed, not yet acknowledged
    DELIVERED = "delivered"
    REFUSED = "refused"  # the peer signed a refusal: resending the same cannot help


class SubjectRequest(Base):
    """One side of one correction request."""

    __tablename__ = "subject_requests"
    __table_args__ = (
        UniqueConstraint("request_id", "side"),
        Index("ix_subject_requests_subject", "subject_id"),
        Index("ix_subject_requests_department", "department_code", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(36))
    side: Mapped[RequestSide] = mapped_column(enum_by_value(RequestSide))
    subject_id: Mapped[str] = mapped_column(String(18))  # GB 11643 ID number of the citizen
    home_code: Mapped[str] = mapped_column(String(16))
    department_code: Mapped[str] = mapped_column(String(16))
    fact: Mapped[str] = mapped_column(String(32))  # a code of ``facts.FACTS``
    data_item: Mapped[str | None] = mapped_column(String(64))
    certificate_id: Mapped[str | None] = mapped_column(String(128))
    field: Mapped[str | None] = mapped_column(String(64))
    current_value: Mapped[str] = mapped_column(Text)
    requested_value: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deadline: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    status: Mapped[CorrectionStatus] = mapped_column(enum_by_value(CorrectionStatus))
    answer_reason: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(128))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # What the department's register held before the change, and the certificates sealed
    # again with the new value: [{"identifier", "superseded", "credential"}].
    previous_value: Mapped[str | None] = mapped_column(Text)
    reissued: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    delivery: Mapped[Delivery] = mapped_column(enum_by_value(Delivery))
    delivery_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_delivery_error: Mapped[str | None] = mapped_column(Text)
    # The peer's signed message as received (the request at the department, the answer at
    # home), so either side can later prove what it was asked or told.
    received_jws: Mapped[str | None] = mapped_column(Text)


class SubjectObjection(Base):
    """A person's objection to one kind of use of their data at this node."""

    __tablename__ = "subject_objections"
    __table_args__ = (Index("ix_subject_objections_subject", "subject_id", "use"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_id: Mapped[str] = mapped_column(String(18))
    use: Mapped[str] = mapped_column(String(64))  # a verification question's name
    reason: Mapped[str] = mapped_column(Text)
    made_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
