"""Delivery bookkeeping of department verification: what is sent, retried, or given up.

The Sender here is the in-process stand-in for the exchange transport (which has its own
tests): it hands the message to the receiving handler on the same database, as a peer would.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from certfree.exchange.errors import ProviderUnavailable
from certfree.exchange.verification import delivery as d
from certfree.exchange.verification import requests as v
from certfree.exchange.verification.models import DeliveryState, VerificationSide
from certfree.storage import Database

DESK, DEPT = "370100", "370200-RS"


@dataclass(frozen=True)
class _Context:
    session: Session
    node_code: str


@dataclass(frozen=True)
class _Message:
    sender: str
    body: dict[str, Any]
    raw: str = "header.payload.signature"


class Peer:
    """Delivers to the handlers of node ``to`` on ``db``; ``down`` refuses like a dead node."""

    def __init__(self, db: Database, sender: str) -> None:
        self.db = db
        self.sender = sender
        self.down = False
        self.sent: list[str] = []
        self.during: Any = None

    async def __call__(self, *, to: str, type: str, body: dict[str, Any]) -> Mapping[str, Any]:
        if self.down:
            raise ProviderUnavailable(to, "connection refused")
        self.sent.append(type)
        if self.during is not None:
            await asyncio.to_thread(self.during)

        def receive() -> dict[str, Any]:
            with self.db.session() as session:
                return d.handlers()[type](_Context(session, to), _Message(self.sender, body))

        return await asyncio.to_thread(receive)


def _create(db: Database) -> str:
    with db.session() as session:
        row = v.create_request(
            session,
            consumer=DESK,
            department=DEPT,
            subject_id="370102198503141234",
            fact="该申请人2019年起在本单位连续参保",
            service_item="371A0101000000",
            purpose="人才引进落户审核",
            requested_by="clerk-01",
        )
        return row.request_id


def _row(db: Database, request_id: str, side: VerificationSide) -> Any:
    with db.session() as session:
        return v.get_request(
            session, request_id, node=DESK if side is VerificationSide.OUTBOX else DEPT, side=side
        )


def test_unreachable_then_delivered_by_deliver_pending(db: Database) -> None:
    request_id = _create(db)
    desk = Peer(db, DESK)
    desk.down = True
    [failed] = asyncio.run(d.deliver_pending(db, desk, node=DESK))
    assert not failed.delivered
    assert "节点 370200-RS 不可用" in (failed.error or "")
    row = _row(db, request_id, VerificationSide.OUTBOX)
    assert (row.delivery, row.delivery_attempts) == (DeliveryState.QUEUED, 1)

    desk.down = False
    [done] = asyncio.run(d.deliver_pending(db, desk, node=DESK))
    assert done.delivered
    assert _row(db, request_id, VerificationSide.OUTBOX).delivery is DeliveryState.DELIVERED
    assert asyncio.run(d.deliver_pending(db, desk, node=DESK)) == []
    # The department's pending list is not the desk's business.
    assert asyncio.run(d.deliver_pending(db, desk, node=DEPT)) == []


def test_a_withdrawal_made_while_the_request_flies_is_still_sent(db: Database) -> None:
    request_id = _create(db)
    desk = Peer(db, DESK)

    def clerk_withdraws() -> None:
        with db.session() as session:
            v.withdraw(session, request_id, consumer=DESK, withdrawn_by="clerk-01")

    desk.during = clerk_withdraws
    asyncio.run(d.deliver(db, desk, request_id, VerificationSide.OUTBOX))
    # The request's acknowledgement must not mark the withdrawal as delivered.
    assert _row(db, request_id, VerificationSide.OUTBOX).delivery is DeliveryState.QUEUED
    desk.during = None
    [sent] = asyncio.run(d.deliver_pending(db, desk, node=DESK))
    assert (sent.type, sent.delivered) == ("verification.withdraw", True)
    inbox = _row(db, request_id, VerificationSide.INBOX)
    assert inbox.status.value == "withdrawn"
    assert desk.sent == ["verification.request", "verification.withdraw"]


def test_answer_goes_back_and_nothing_is_owed_afterwards(db: Database) -> None:
    request_id = _create(db)
    desk, department = Peer(db, DESK), Peer(db, DEPT)
    asyncio.run(d.deliver(db, desk, request_id, VerificationSide.OUTBOX))
    with db.session() as session:
        v.answer_request(
            session,
            request_id,
            department=DEPT,
            outcome="confirmed",
            answered_by="rs-1",
            now=dt.datetime.now(dt.UTC),
        )
    result = asyncio.run(d.deliver(db, department, request_id, VerificationSide.INBOX))
    assert result is not None
    assert (result.type, result.to, result.delivered) == ("verification.answer", DESK, True)
    outbox = _row(db, request_id, VerificationSide.OUTBOX)
    assert (outbox.status.value, outbox.outcome.value) == ("answered", "confirmed")
    assert outbox.received_jws == "header.payload.signature"
    assert asyncio.run(d.deliver(db, department, request_id, VerificationSide.INBOX)) is None
