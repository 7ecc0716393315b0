"""The lifecycle of an application: submit, accept or not, verify, correct, decide, withdraw.

Every transition is checked against the state it starts from and logged with actor, time
(UTC) and reason. Submission seals a receipt (回执, 《行政许可法》第三十二条第二款: a dated
written acknowledgement); acceptance starts the promised time limit in working days;
a request for correction (补正) stops the clock until the applicant resubmits; approval needs
every requirement met, and a refusal names the requirement it rests on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from certfree.applications.cases import log_event
from certfree.applications.errors import RequirementsNotMet, WrongState
from certfree.applications.models import Application
from certfree.applications.sealing import seal_decision, seal_receipt
from certfree.applications.vocab import OPEN_STATES, Action, AppState, Decision, SlotStatus
from certfree.crypto import KeyStore
from certfree.errors import InvalidInput
from certfree.storage import utcnow
from certfree.workdays import add_working_days, beijing_today, working_days_between

__all__ = [
    "accept",
    "check_decision",
    "decide",
    "not_accept",
    "request_correction",
    "start_verifying",
    "submit",
    "withdraw",
]


def _require(app: Application, allowed: Iterable[AppState], act_zh: str, act_en: str) -> None:
    if app.state not in set(allowed):
        raise WrongState(
            f"办件 {app.id} 处于「{app.state.label_zh}」状态，不能{act_zh}"
            f"（cannot {act_en} an application that is {app.state.label_en}）",
            field="state",
        )


def _reason(reason: str | None, field: str = "reason") -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput("请写明理由（a reason is required）", field=field)
    if len(text) > 2000:
        raise InvalidInput("理由不能超过 2000 字（at most 2,000 characters）", field=field)
    return text


def submit(app: Application, keys: KeyStore, *, actor: str, now: dt.datetime | None = None) -> None:
    """Hand the application in (again, after a correction); seals the receipt."""
    moment = now or utcnow()
    _require(app, {AppState.DRAFT, AppState.CORRECTION_REQUESTED}, "提交", "submit")
    unmet = [s for s in app.slots if s.status is SlotStatus.UNMET]
    if unmet:
        raise RequirementsNotMet(
            f"申请条件「{unmet[0].requirement}」没有可用的途径，无法提交"
            f"（requirement {unmet[0].position + 1} has no way open）",
            field=f"requirements.{unmet[0].position}",
        )
    if app.state is AppState.CORRECTION_REQUESTED:
        _resume_clock(app, moment)
        log_event(app, actor=actor, action=Action.SUBMIT, to_state=AppState.VERIFYING, now=moment)
        return
    app.submitted_at = moment
    log_event(app, actor=actor, action=Action.SUBMIT, to_state=AppState.SUBMITTED, now=moment)
    app.receipt_seal = seal_receipt(app, keys)


def accept(app: Application, *, actor: str, now: dt.datetime | None = None) -> None:
    """受理: the promised time limit starts the day after."""
    moment = now or utcnow()
    _require(app, {AppState.SUBMITTED}, "受理", "accept")
    app.accepted_at = moment
    app.due_on = add_working_days(beijing_today(moment), app.promised_days).day
    log_event(app, actor=actor, action=Action.ACCEPT, to_state=AppState.ACCEPTED, now=moment)


def not_accept(
    app: Application, *, actor: str, reason: str | None, now: dt.datetime | None = None
) -> None:
    """不予受理, with the reason the applicant is told."""
    _require(app, {AppState.SUBMITTED}, "作出不予受理决定", "refuse to accept")
    log_event(
        app,
        actor=actor,
        action=Action.NOT_ACCEPT,
        to_state=AppState.NOT_ACCEPTED,
        reason=_reason(reason),
        now=now,
    )


def start_verifying(app: Application, *, actor: str, now: dt.datetime | None = None) -> None:
    """Accepted → verifying (the first evidence is asked for after acceptance)."""
    if app.state is AppState.ACCEPTED:
        log_event(app, actor=actor, action=Action.VERIFY, to_state=AppState.VERIFYING, now=now)


def request_correction(
    app: Application,
    *,
    actor: str,
    reason: str | None,
    requirements: Iterable[int],
    now: dt.datetime | None = None,
) -> None:
    """补正: the applicant must supply something for the named requirements (positions)."""
    moment = now or utcnow()
    _require(app, {AppState.ACCEPTED, AppState.VERIFYING}, "要求补正", "request a correction")
    positions = sorted(set(requirements))
    known = {s.position for s in app.slots}
    if not positions or not set(positions) <= known:
        raise InvalidInput(
            f"补正须指明申请条件（序号 1 到 {len(known)}）"
            "（name the requirements to correct, by number）",
            field="requirements",
        )
    app.paused_on = beijing_today(moment)
    log_event(
        app,
        actor=actor,
        action=Action.REQUEST_CORRECTION,
        to_state=AppState.CORRECTION_REQUESTED,
        reason=_reason(reason),
        detail={"requirements": positions},
        now=moment,
    )


def _resume_clock(app: Application, moment: dt.datetime) -> None:
    if app.paused_on is not None and app.due_on is not None:
        paused = working_days_between(app.paused_on, beijing_today(moment))
        app.due_on = add_working_days(app.due_on, paused).day
    app.paused_on = None


def check_decision(
    app: Application, *, approve: bool, reason: str | None, requirement: int | None
) -> str | None:
    """Whether ``app`` can be decided so (nothing changes): approval needs every requirement
    met; a refusal names the requirement and the reason. The refusal's reason, cleaned."""
    _require(app, {AppState.SUBMITTED, AppState.ACCEPTED, AppState.VERIFYING}, "作出决定", "decide")
    if approve:
        pending = [s for s in app.slots if s.status is not SlotStatus.MET]
        if pending:
            first = pending[0]
            raise RequirementsNotMet(
                f"申请条件「{first.requirement}」尚未满足（{first.status.label_zh}），不能准予"
                f"（requirement {first.position + 1} is {first.status.label_en}）",
                field=f"requirements.{first.position}",
            )
        return None
    if requirement is None or requirement not in {s.position for s in app.slots}:
        raise InvalidInput(
            f"不予办理须指明所依据的申请条件（序号 1 到 {len(app.slots)}）"
            "（a refusal names the requirement it rests on）",
            field="requirement",
        )
    return _reason(reason)


def decide(
    app: Application,
    keys: KeyStore,
    *,
    actor: str,
    approve: bool,
    reason: str | None = None,
    requirement: int | None = None,
    now: dt.datetime | None = None,
) -> None:
    """办结: approve (every requirement met) or refuse (naming the requirement and why).

    A submitted application is accepted on the spot first (即办件: accepted and decided at
    the counter), and both transitions are logged."""
    moment = now or utcnow()
    reason = check_decision(app, approve=approve, reason=reason, requirement=requirement)
    if app.state is AppState.SUBMITTED:
        accept(app, actor=actor, now=moment)
    app.decision = Decision.APPROVED if approve else Decision.REFUSED
    app.decision_reason = reason
    app.decision_requirement = None if approve else requirement
    app.decided_at = moment
    log_event(
        app,
        actor=actor,
        action=Action.DECIDE,
        to_state=AppState.DECIDED,
        reason=reason,
        detail={"decision": app.decision.value, "requirement": app.decision_requirement},
        now=moment,
    )
    app.decision_seal = seal_decision(app, keys)


def withdraw(
    app: Application, *, actor: str, reason: str | None = None, now: dt.datetime | None = None
) -> None:
    """撤回 by the applicant, while the application is still open."""
    _require(app, OPEN_STATES, "撤回", "withdraw")
    log_event(
        app,
        actor=actor,
        action=Action.WITHDRAW,
        to_state=AppState.WITHDRAWN,
        reason=(reason or "").strip() or None,
        now=now,
    )
