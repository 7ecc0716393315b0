"""Carrying out an application's plan: ask what can be asked now, queue the rest.

``run_application`` asks the exchange every data-sharing question the plan holds (each about
the party its requirement names, with that party's consent attestation), records each signed
answer in its slot, and sends a department verification for each slot that needs one; the
applicant's own acts (showing a certificate, signing a commitment) wait for the applicant.

A provider that cannot be reached does not stop the case: the requirement is planned again
without that node (another way, e.g. a department verification or a commitment) and, if no
other way is open, waits visibly for the node to return (``waiting``, with the error).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy.orm import Session

from certfree import procedures
from certfree.applications.cases import find_service_item, locked_application, plan_slots
from certfree.applications.dept_verification import (
    deliver_requests,
    request_department_verifications,
    sync_department_verifications,
    waiting_requests,
)
from certfree.applications.evidence import (
    check_open_for_evidence,
    record_answer,
    refresh_status,
)
from certfree.applications.lifecycle import start_verifying
from certfree.applications.models import Application
from certfree.applications.vocab import SlotStatus
from certfree.errors import CertfreeError
from certfree.exchange import ProviderUnavailable
from certfree.exchange.errors import NodeWithoutEndpoint
from certfree.exchange.questions.asking import ask
from certfree.proofs import Way
from certfree.questions import get_question
from certfree.storage import utcnow

if TYPE_CHECKING:
    from certfree.exchange.protocol.runtime import ExchangeRuntime

__all__ = ["Answered", "Planner", "Question", "ask_or_failure", "questions_of", "run_application"]

# Plans the application's requirements again, with the given provider nodes taken as down.
Planner = Callable[[Session, Application, frozenset[str]], procedures.RouteReport]
_DOWN = (ProviderUnavailable, NodeWithoutEndpoint, httpx.TransportError)
# What asking one question comes to: the signed answer, or why there is none.
Answered = dict[str, Any] | CertfreeError | httpx.TransportError
_PENDING = frozenset({SlotStatus.PLANNED.value, SlotStatus.WAITING.value})


@dataclass(frozen=True, slots=True)
class Question:
    """One question the plan asks now, about one slot's piece of evidence.

    ``subjects`` are the data subjects it is about: the ID numbers in the parameters the
    catalogue marks as subjects (``QuestionDef.subjects_in``), so a firm's USCC asked for its
    tax standing is nobody's to consent to; ``consents`` are their attestations."""

    position: int
    index: int
    question: str
    provider: str
    args: dict[str, Any]
    subjects: list[str]
    consents: list[str]

    def asks_for(self, part: Mapping[str, Any]) -> bool:
        """Whether ``part`` (as it is now) still waits for this very question: same way,
        question, node and arguments, and not yet answered."""
        return (
            part["way"] == Way.DATA_SHARING.value
            and part["status"] in _PENDING
            and part.get("question") == self.question
            and part.get("node") == self.provider
            and dict(part.get("args") or {}) == self.args
        )


def questions_of(app: Application, *, everything: bool = False) -> list[Question]:
    """The data-sharing questions the plan asks now (or, with ``everything``, at all)."""
    consents = {p.subject_id: p.consent for p in app.parties if p.consent}
    asked = []
    for slot in app.slots:
        for index, part in enumerate(slot.parts):
            if part["way"] != Way.DATA_SHARING.value:
                continue
            if not everything and part["status"] not in _PENDING:
                continue
            if not part.get("question") or not part.get("node"):
                continue
            args = dict(part.get("args") or {})
            subjects = list(dict.fromkeys(get_question(part["question"]).subjects_in(args)))
            asked.append(
                Question(
                    position=slot.position,
                    index=index,
                    question=part["question"],
                    provider=part["node"],
                    args=args,
                    subjects=subjects,
                    consents=[consents[s] for s in subjects if s in consents],
                )
            )
    return asked


async def ask_or_failure(
    runtime: ExchangeRuntime,
    *,
    question: str,
    provider: str,
    args: Mapping[str, Any],
    consents: Sequence[str],
    service_item: str,
    purpose: str,
    application: str,
) -> Answered:
    """Ask the exchange one question for ``application`` (``exchange.questions.asking.ask``): the
    signed answer, or the error it failed with — a run and an after-check go on with the
    other questions and record why this one has no answer."""
    try:
        return await ask(
            runtime,
            question=question,
            provider=provider,
            args=dict(args),
            service_item=service_item,
            purpose=purpose,
            consents=consents,
            application=application,
        )
    except (CertfreeError, httpx.TransportError) as exc:
        return exc


def _ask(runtime: ExchangeRuntime, app: Application, question: Question) -> Awaitable[Answered]:
    return ask_or_failure(
        runtime,
        question=question.question,
        provider=question.provider,
        args=question.args,
        consents=question.consents,
        service_item=app.service_code,
        purpose=f"办理「{app.service_name}」（办件 {app.id}）",
        application=app.id,
    )


def _failed(app: Application, question: Question, error: Exception, now: dt.datetime) -> None:
    slot = next(s for s in app.slots if s.position == question.position)
    parts = [dict(p) for p in slot.parts]
    down = isinstance(error, _DOWN)
    part = parts[question.index]
    parts[question.index] = {
        **part,
        "status": SlotStatus.WAITING.value if down else SlotStatus.PLANNED.value,
        "error": str(error),
        "error_at": now.isoformat(),
        # Providers found down for this requirement so far: planned around until one answers.
        "down": sorted({*part.get("down", ()), *([question.provider] if down else [])}),
    }
    slot.parts = parts
    refresh_status(slot)


def _remembered_down(app: Application) -> set[str]:
    return {node for slot in app.slots for part in slot.parts for node in part.get("down", ())}


def _replan(session: Session, app: Application, planner: Planner, down: frozenset[str]) -> None:
    """Requirements that wait on a down node take another open way, if there is one; with
    none, they wait for the node (every node found down for them so far is planned around,
    so two down providers are not tried in turn)."""
    report = planner(session, app, down)
    item = find_service_item(session, app.service_code)
    fresh = {slot.position: slot for slot in plan_slots(session, report, item)}
    for slot in app.slots:
        waiting = any(p.get("node") in down for p in slot.parts if p["status"] != "met")
        new = fresh.get(slot.position)
        if not waiting or new is None or new.way is None:
            continue
        if any(p.get("node") in down for p in new.parts):
            continue  # nothing better: it waits for the node
        # Another way, or the same question of another provider (the province's department).
        seen = sorted({node for part in slot.parts for node in part.get("down", ())})
        slot.way, slot.alternative = new.way, new.alternative
        slot.parts = [{**part, "down": seen} for part in new.parts]
        slot.status = new.status
        slot.explanation_zh = f"{new.explanation_zh}（原途径节点不可用，已改用此途径）"
        slot.explanation_en = f"{new.explanation_en} (the node of the first way is down)"


async def run_application(
    runtime: ExchangeRuntime, app_id: str, *, actor: str, planner: Planner
) -> None:
    """Carry out ``app_id``'s plan as far as it can go now (module docstring)."""

    def read() -> tuple[Application, list[Question]]:
        with runtime.db.session() as session:
            app = locked_application(session, app_id)
            check_open_for_evidence(app)
            return app, questions_of(app)

    app, questions = await runtime.in_thread(read)
    answers = await asyncio.gather(*(_ask(runtime, app, q) for q in questions))

    def write() -> list[str]:
        now = utcnow()
        with runtime.db.session() as session:
            current = locked_application(session, app_id)
            check_open_for_evidence(current)
            start_verifying(current, actor=actor, now=now)
            down: set[str] = set()
            for question, answer in zip(questions, answers, strict=True):
                slot = next((s for s in current.slots if s.position == question.position), None)
                # Planned again, answered or presented meanwhile (another run, the applicant):
                # this answer is to a question the part no longer asks.
                if slot is None or len(slot.parts) <= question.index:
                    continue
                if not question.asks_for(slot.parts[question.index]):
                    continue
                if isinstance(answer, dict):
                    record_answer(current, slot, question.index, answer, actor=actor, now=now)
                else:
                    _failed(current, question, answer, now)
                    if isinstance(answer, _DOWN):
                        down.add(question.provider)
            if down:
                _replan(session, current, planner, frozenset(down | _remembered_down(current)))
            sync_department_verifications(session, current, actor=actor, now=now)
            # Requests still queued from an earlier run (their department was down) go again.
            again = waiting_requests(current)
            queued = request_department_verifications(
                session, current, consumer=runtime.code, actor=actor, now=now
            )
            session.commit()
        return [*again, *queued]

    await deliver_requests(runtime, await runtime.in_thread(write))
