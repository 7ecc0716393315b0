"""After-checks that act (事后核查): a commitment taken in an application is checked against
the data as soon as the data can be had, and a false one has its consequences on the case.

国办发〔2020〕42号 二(四): the authority checks commitments after the decision and, where a
commitment proves false, records it on the applicant's credit and deals with the decision
taken on it — here the default consequence, 撤销行政决定 (《行政许可法》第六十九条第二款: a
licence obtained by deception is revoked). For each open after-check of method ``data_check``
on a commitment used in an application of this node, :func:`run_data_checks` asks the
exchange the question that stands in for the committed proof (the proof item's data-sharing
realisation, the one the route resolver would plan) about the party who committed, of the
department node of that question in the service item's region, and:

* records ``confirmed`` when the answer bears the commitment out, ``false_commitment`` when it
  does not (through :func:`certfree.commitments.record_outcome`, which opens the credit
  record that bars the commitment route);
* logs an ``after_check`` event on the application, and on a false commitment revokes the
  result certificates it issued (``cancelled_by_authority``), marks them so in ``issued`` and
  says in the event that the decision is to be reviewed: the decision itself stays as taken
  until the authority revokes it (no state here stands for a revoked decision).

A check whose data cannot be had yet (the node is down, the department has no record, the
question is refused) stays pending for the next run, with the reason in the result
(``waiting_for``). The question is asked with the consent attestations the parties gave for
the application, which cover the plan's questions only: a provider that needs consent refuses
the after-check's question when none of them covers it, and the check then waits for the
party's consent (``waiting_for="consent"``), not for the data. Whether
the answer bears the commitment out is read as the application read it: against the answer
the service item expects of that proof (the slot part's ``expect``: a marriage's "无配偶" is
borne out by unmarried, divorced or widowed and refuted by married), or, where it expects
none, every yes/no of the answer must be yes. An answer with no yes/no and no expected value
(a real-estate transfer's marital status, committed to whatever it is), or one that lacks an
expected field, has nothing to compare with what was committed: it stays pending for a person.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from certfree import certs, commitments, nodes, procedures
from certfree.applications.cases import log_event
from certfree.applications.dept_verification import service_region
from certfree.applications.evidence import answer_satisfies
from certfree.applications.models import Application
from certfree.applications.running import Answered, ask_or_failure
from certfree.applications.vocab import Action, AppState
from certfree.commitments import AfterCheckMethod, AfterCheckStatus, CheckOutcome
from certfree.exchange.errors import ProviderRefused
from certfree.governance import ConsentReason
from certfree.procedures.realisations import realisation
from certfree.proofs import Way, get_item
from certfree.questions import get_question
from certfree.storage import utcnow

if TYPE_CHECKING:
    from certfree.exchange.protocol.runtime import ExchangeRuntime

__all__ = ["DataCheck", "run_data_checks"]


@dataclass(frozen=True, slots=True)
class DataCheck:
    """One after-check this run took up: its outcome, or None with why it stays pending."""

    check_id: int
    commitment_id: int
    application_id: str
    question: str | None
    provider: str | None
    outcome: CheckOutcome | None
    note: str
    # Why a check without outcome stays pending: "data" (not to be had now), "consent" (the
    # provider refused for want of the party's consent), "person" (nothing to compare with).
    waiting_for: str | None = None


@dataclass(frozen=True, slots=True)
class _Ask:
    check_id: int
    commitment_id: int
    application_id: str
    position: int
    question: str
    provider: str
    args: dict[str, Any]
    expect: dict[str, Any] | None
    consents: list[str]
    service_item: str


def _used_commitments(
    session: Session, node: str
) -> dict[int, tuple[Application, int, Mapping[str, Any]]]:
    """Commitment id → (application, requirement position, slot part) for this node's cases."""
    apps = session.scalars(
        select(Application)
        .where(Application.node_code == node, Application.state != AppState.DRAFT)
        .options(selectinload(Application.slots), selectinload(Application.parties))
    )
    used: dict[int, tuple[Application, int, Mapping[str, Any]]] = {}
    for app in apps:
        for slot in app.slots:
            for part in slot.parts:
                proof = part.get("proof") or {}
                if part["way"] == Way.COMMITMENT.value and "commitment_id" in proof:
                    used[int(proof["commitment_id"])] = (app, slot.position, part)
    return used


def _args(
    app: Application, subject: str, question: str, parameters: Mapping[str, Any]
) -> dict[str, Any]:
    """The question's arguments about the party who committed, filled as the planner fills
    them at intake (``procedures.question_args``: a two-party question names the applicant
    first)."""
    applicant = next(
        (p.subject_id for p in app.parties if p.role == procedures.PartyRole.APPLICANT), subject
    )
    return dict(
        procedures.question_args(
            get_question(question), parameters, subject=subject, applicant=applicant
        )
    )


def _plan(
    session: Session, node: str, now: dt.datetime, department: nodes.DepartmentKind | None = None
) -> tuple[list[_Ask], list[DataCheck]]:
    """What to ask now, and the checks that cannot be asked (no question covers the proof)."""
    used = _used_commitments(session, node)
    asks: list[_Ask] = []
    skipped: list[DataCheck] = []
    for check in commitments.list_after_checks(session):
        if (
            check.status is not AfterCheckStatus.PENDING
            or check.method is not AfterCheckMethod.DATA_CHECK
        ):
            continue
        if check.commitment_id not in used:
            continue
        app, position, part = used[check.commitment_id]
        commitment = commitments.get_commitment(session, check.commitment_id)
        if department and get_item(session, commitment.proof_code).department_kind != department:
            continue  # another department's proof item: theirs to check
        found = realisation(commitment.proof_code)
        if found.question is None:
            note = (
                f"证明事项 {commitment.proof_code} 没有可替代的数据共享问题，须人工核查"
                "（no data-sharing question covers the proof）"
            )
            skipped.append(
                DataCheck(
                    check.id,
                    check.commitment_id,
                    app.id,
                    None,
                    None,
                    outcome=None,
                    note=note,
                    waiting_for="person",
                )
            )
            continue
        question = get_question(found.question)
        provider = nodes.node_code(service_region(session, app), question.department)
        consents = [
            p.consent
            for p in app.parties
            if p.consent and (p.consent_expires_at is None or p.consent_expires_at > now)
        ]
        asks.append(
            _Ask(
                check_id=check.id,
                commitment_id=check.commitment_id,
                application_id=app.id,
                position=position,
                question=found.question,
                provider=provider,
                args=_args(app, commitment.applicant_id, found.question, found.parameters),
                expect=part.get("expect"),
                consents=consents,
                service_item=commitment.service_code or app.service_code,
            )
        )
    return asks, skipped


def _ask(runtime: ExchangeRuntime, ask: _Ask) -> Awaitable[Answered]:
    return ask_or_failure(
        runtime,
        question=ask.question,
        provider=ask.provider,
        args=ask.args,
        consents=ask.consents,
        service_item=ask.service_item,
        purpose=(
            f"告知承诺事后核查（核查任务 {ask.check_id}，承诺书 {ask.commitment_id}，"
            f"办件 {ask.application_id}）"
        ),
        application=ask.application_id,
    )


def _untaken(ask: _Ask) -> DataCheck:
    return DataCheck(
        ask.check_id, ask.commitment_id, ask.application_id, ask.question, ask.provider, None, ""
    )


_CONSENT_REASONS = frozenset(reason.value for reason in ConsentReason)


def _not_answered(ask: _Ask, error: Exception) -> DataCheck:
    """Why the check stays pending: the party's consent, or data not to be had now."""
    if isinstance(error, ProviderRefused) and error.reason in _CONSENT_REASONS:
        note = (
            f"当事人的同意不涵盖事后核查问题 {ask.question}（{ConsentReason(error.reason).zh}），"
            f"须当事人就此同意后再核查：{error}"
            f"（the party's consent does not cover the after-check question {ask.question}）"
        )
        return replace(_untaken(ask), note=note, waiting_for="consent")
    note = f"数据暂不可得，待下次核查：{error}"
    return replace(_untaken(ask), note=note, waiting_for="data")


def _has_flags(result: Mapping[str, Any]) -> bool:
    return any(isinstance(value, bool) for value in result.values())


def _revoke_results(
    session: Session, app: Application, check_id: int, now: dt.datetime
) -> list[str]:
    """Revoke the certificates the case issued; mark each entry of ``issued`` so."""
    reason = certs.RevocationReason.CANCELLED_BY_AUTHORITY
    revoked: list[str] = []
    entries = []
    for entry in app.issued:
        identifier = entry.get("certificate_id")
        if not identifier or entry.get("status") == "revoked":
            entries.append(entry)
            continue
        # Already revoked by its organ: the mark below still tells the case.
        with contextlib.suppress(certs.StatusConflict):
            certs.revoke_certificate(session, identifier, reason, now=now)
        revoked.append(identifier)
        marks = {"status": "revoked", "revocation_reason": reason.value, "after_check": check_id}
        entries.append({**entry, **marks, "revoked_at": now.isoformat()})
    app.issued = entries  # a new list, so the JSON column is written
    return revoked


def _conclude(
    session: Session, ask: _Ask, answer: dict[str, Any], *, actor: str, now: dt.datetime
) -> DataCheck:
    result = dict((answer.get("answer") or {}).get("result") or {})
    shown = "，".join(f"{k}={v}" for k, v in result.items())
    base = _untaken(ask)
    if not ask.expect and not _has_flags(result):
        note = f"{ask.provider} 答复 {ask.question}：{shown}；承诺的具体内容未记录，须人工比对"
        return replace(base, note=note, waiting_for="person")
    missing = [name for name in ask.expect or {} if name not in result]
    if missing:
        note = f"{ask.provider} 答复 {ask.question}：{shown}；未含 {'、'.join(missing)}，须人工比对"
        return replace(base, note=note, waiting_for="person")
    truthful = answer_satisfies(result, ask.expect)
    outcome = CheckOutcome.CONFIRMED if truthful else CheckOutcome.FALSE_COMMITMENT
    note = (
        f"数据核验：{ask.provider} 对问题 {ask.question} 答复 {shown}"
        f"（消息 {answer['message_id']}），{'与承诺一致' if truthful else '与承诺不符'}"
    )
    try:
        commitments.record_outcome(
            session, ask.check_id, outcome, method=AfterCheckMethod.DATA_CHECK, note=note,
            actor=actor, now=now,
        )  # fmt: skip
    except commitments.CommitmentStateError:  # recorded by someone else meanwhile
        return replace(base, note="核查结果已由他人记录")
    app = session.get(Application, ask.application_id)
    assert app is not None  # found in this node's cases above
    detail: dict[str, Any] = {
        "check_id": ask.check_id,
        "commitment_id": ask.commitment_id,
        "requirement": ask.position,
        "outcome": outcome.value,
        "question": ask.question,
        "provider": ask.provider,
        "message_id": answer["message_id"],
    }
    if outcome is CheckOutcome.FALSE_COMMITMENT:
        consequence = commitments.CreditConsequence.REVOKE_DECISION
        detail["consequence"] = consequence.value
        revoked = _revoke_results(session, app, ask.check_id, now)
        detail["certificates_revoked"] = bool(revoked)
        detail["revoked_certificates"] = revoked
        # 《行政许可法》第六十九条第二款: revoking the licence is the authority's decision to take.
        note += "；行政决定待复核（the decision is to be reviewed）"
    reason = f"{outcome.zh}：{note}"
    log_event(app, actor=actor, action=Action.AFTER_CHECK, reason=reason, detail=detail, now=now)
    return replace(base, outcome=outcome, note=note)


async def run_data_checks(
    runtime: ExchangeRuntime,
    *,
    node_code: str,
    actor: str,
    now: dt.datetime | None = None,
    department: nodes.DepartmentKind | None = None,
) -> list[DataCheck]:
    """Take up every open data-check after-check on commitments used in ``node_code``'s
    applications (module docstring), only of ``department``'s proof items if given; returns
    what became of each."""
    moment = now or utcnow()

    def read() -> tuple[list[_Ask], list[DataCheck]]:
        with runtime.db.session() as session:
            return _plan(session, node_code, moment, department)

    asks, skipped = await runtime.in_thread(read)
    answers = await asyncio.gather(*(_ask(runtime, ask) for ask in asks))

    def write() -> list[DataCheck]:
        done: list[DataCheck] = []
        with runtime.db.session() as session:
            for ask, answer in zip(asks, answers, strict=True):
                if isinstance(answer, dict):
                    done.append(_conclude(session, ask, answer, actor=actor, now=moment))
                else:
                    done.append(_not_answered(ask, answer))
        return done

    return [*skipped, *await runtime.in_thread(write)]
