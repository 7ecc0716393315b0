"""Register notices of an approval: the accepting node tells each register's department.

An approval writes the marriage, the new firm or the household move into the accepting node's
registers (:mod:`certfree.applications.results`); the department node that keeps each register
(民政 the marriages, 市场监管 and 税务 the firm, 公安 the household; the department of that kind
in the service item's region) is sent a signed ``register.notice`` with the record and the
application's decision seal, and writes the same record
(:mod:`certfree.exchange.register_notices`).

Each notice is queued as a ``notice`` event of the application, in the approving transaction,
and sent after that transaction commits: a department that is down leaves it queued, and it is
sent again by the next run or showing of the application, or by ``certfree exchange
deliver-pending``. The answer closes it with a ``notice_delivered`` event (the department's
acknowledgement) or a ``notice_refused`` event (its signed refusal and reason: the same notice
would be refused again). An unreachable department records nothing, so the history grows by one
event per outcome, not per attempt. The department is idempotent by record, so a notice
delivered twice (a lost acknowledgement) writes once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.applications.cases import get_application, locked_application, log_event
from certfree.applications.dept_verification import service_region
from certfree.applications.models import Application, ApplicationEvent
from certfree.applications.vocab import Action
from certfree.errors import CertfreeError
from certfree.exchange.errors import ProviderRefused
from certfree.exchange.protocol.messages import MessageType
from certfree.exchange.register_notices import REGISTERS
from certfree.exchange.verification.delivery import Delivery, Sender
from certfree.exchange.verification.models import VerificationSide
from certfree.nodes import node_code
from certfree.storage import Database

__all__ = ["deliver_notices", "deliver_pending_notices", "pending_notices", "queue_notices"]

_CLOSED = frozenset({Action.NOTICE_DELIVERED.value, Action.NOTICE_REFUSED.value})


def queue_notices(
    session: Session,
    app: Application,
    acts: Sequence[tuple[str, dict[str, Any]]],
    *,
    actor: str,
    now: dt.datetime,
) -> list[str]:
    """Queue a notice of each act to each department node keeping a register it writes (the
    accepting node itself excepted); the notices' ids."""
    region = service_region(session, app)
    queued = []
    for act, record in acts:
        for kind in REGISTERS[act]:
            to = node_code(region, kind)
            if to == app.node_code:
                continue
            notice = str(uuid.uuid4())
            detail = {"notice": notice, "to": to, "act": act, "record": record}
            log_event(app, actor=actor, action=Action.NOTICE, detail=detail, now=now)
            queued.append(notice)
    return queued


def pending_notices(app: Application) -> list[dict[str, Any]]:
    """The notices of ``app`` neither delivered nor refused, oldest first (event details)."""
    closed = {e.detail.get("notice") for e in app.events if e.action in _CLOSED}
    return [
        dict(e.detail)
        for e in app.events
        if e.action == Action.NOTICE.value and e.detail.get("notice") not in closed
    ]


def _body(app: Application, notice: dict[str, Any]) -> dict[str, Any]:
    assert app.decision_seal is not None  # notices are queued by an approval, once sealed
    return {
        "application": app.id,
        "service_item": app.service_code,
        "act": notice["act"],
        "record": notice["record"],
        "decision_seal": app.decision_seal,
    }


def _settle(db: Database, app_id: str, notice: dict[str, Any], ack: Any, error: str | None) -> None:
    """Record a delivery (``ack``) or a signed refusal (``error``) on the application."""
    with db.session() as session:
        app = locked_application(session, app_id)
        if notice["notice"] not in {n["notice"] for n in pending_notices(app)}:
            return  # closed meanwhile by another delivery
        detail = {"notice": notice["notice"], "to": notice["to"], "act": notice["act"]}
        if error is None:
            action, reason = Action.NOTICE_DELIVERED, None
            detail["written"] = bool(ack.get("written"))
        else:
            action, reason = Action.NOTICE_REFUSED, error
        log_event(app, actor=f"node:{notice['to']}", action=action, reason=reason, detail=detail)


async def deliver_notices(db: Database, sender: Sender, app_id: str) -> list[Delivery]:
    """Send the notices ``app_id`` still owes, one after the other; never raises for a
    department that is down (the notice stays queued) or refuses (recorded)."""

    def read() -> list[tuple[dict[str, Any], dict[str, Any]]]:
        with db.session() as session:
            app = get_application(session, app_id)
            return [(n, _body(app, n)) for n in pending_notices(app)]

    results = []
    for notice, body in await asyncio.to_thread(read):
        error: str | None = None
        ack: Any = None
        try:
            ack = await sender(to=notice["to"], type=MessageType.REGISTER_NOTICE, body=body)
        except ProviderRefused as exc:  # signed: the same notice would be refused again
            error = str(exc)
            await asyncio.to_thread(_settle, db, app_id, notice, None, error)
        except CertfreeError as exc:  # unreachable: stays queued
            results.append(_delivery(notice, str(exc)))
            continue
        else:
            await asyncio.to_thread(_settle, db, app_id, notice, ack, None)
        results.append(_delivery(notice, error))
    return results


def _delivery(notice: dict[str, Any], error: str | None) -> Delivery:
    return Delivery(
        notice["notice"],
        VerificationSide.OUTBOX,
        MessageType.REGISTER_NOTICE,
        notice["to"],
        error is None,
        error,
    )


async def deliver_pending_notices(db: Database, sender: Sender, *, node: str) -> list[Delivery]:
    """Send every register notice the applications accepted at ``node`` still owe."""

    def owing() -> list[str]:
        with db.session() as session:
            ids = session.scalars(
                select(Application.id)
                .join(ApplicationEvent, ApplicationEvent.application_id == Application.id)
                .where(
                    Application.node_code == node,
                    ApplicationEvent.action == Action.NOTICE.value,
                )
                .distinct()
                .order_by(Application.id)
            )
            return [app_id for app_id in ids if pending_notices(get_application(session, app_id))]

    results = []
    for app_id in await asyncio.to_thread(owing):
        results.extend(await deliver_notices(db, sender, app_id))
    return results
