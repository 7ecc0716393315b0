"""After-checks (事后核查): sampling plans, deterministic draws, outcomes, overdue checks.

国办发〔2020〕42号 二(四) asks each authority to check commitments after the decision, by risk:
a higher rate where the risk is higher. Here a plan per proof item sets a base rate and the
factors for a first-time applicant (no earlier submitted commitment for the same item) and
for a high-value item or service; the rate is capped at 100%.

A draw is reproducible: commitment ``c`` is selected for seed ``s`` when the first 64 bits of
SHA-256(``s`` NUL ``c.id``), read as a fraction of 2^64, fall below its rate. So the same seed
over the same commitments selects the same ones on any node and any database, and the seed
published with a draw lets anyone re-run it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from certfree.commitments.credit import record_false_commitment
from certfree.commitments.errors import AfterCheckNotFound, CommitmentStateError
from certfree.commitments.models import AfterCheck, Commitment, SamplingPlan
from certfree.commitments.vocab import (
    AfterCheckMethod,
    AfterCheckStatus,
    CheckOutcome,
    CommitmentStatus,
    CreditConsequence,
)
from certfree.errors import Forbidden, InvalidInput
from certfree.nodes import DepartmentKind
from certfree.proofs import ProofItem
from certfree.storage import utcnow

__all__ = [
    "DEFAULT_PLAN",
    "FULL_RATE_BP",
    "PlanSettings",
    "SamplingRate",
    "check_department",
    "draw_after_checks",
    "draw_value",
    "get_after_check",
    "list_after_checks",
    "record_outcome",
    "sampling_plan",
    "sampling_rate",
    "set_sampling_plan",
]

FULL_RATE_BP = 10_000  # 100%, in basis points


@dataclass(frozen=True, slots=True)
class PlanSettings:
    """A sampling plan's parameters; rates are fractions (0.05 is 5%)."""

    base_rate: float = 0.05
    first_time_factor: float = 2.0
    high_value_factor: float = 3.0
    high_value: bool = False
    high_value_services: tuple[str, ...] = ()
    method: AfterCheckMethod = AfterCheckMethod.DATA_CHECK
    due_days: int = 30


DEFAULT_PLAN = PlanSettings()


@dataclass(frozen=True, slots=True)
class SamplingRate:
    rate_bp: int
    reasons: tuple[str, ...]


def _validate(plan: PlanSettings) -> None:
    if not 0 <= plan.base_rate <= 1:
        raise InvalidInput(
            f"基础抽查比例应在 0 到 1 之间，收到 {plan.base_rate}", field="base_rate"
        )
    for name in ("first_time_factor", "high_value_factor"):
        if getattr(plan, name) < 1:
            raise InvalidInput(f"风险系数不应小于 1，收到 {getattr(plan, name)}", field=name)
    if not 1 <= plan.due_days <= 366:
        raise InvalidInput(f"核查期限应为 1 到 366 天，收到 {plan.due_days}", field="due_days")


def set_sampling_plan(
    session: Session, proof_code: str, plan: PlanSettings, *, actor: str
) -> SamplingPlan:
    """Create or replace the plan for ``proof_code``; InvalidInput names a bad parameter."""
    _validate(plan)
    row = session.get(SamplingPlan, proof_code) or SamplingPlan(proof_code=proof_code)
    row.base_rate_bp = round(plan.base_rate * FULL_RATE_BP)
    row.first_time_factor = plan.first_time_factor
    row.high_value_factor = plan.high_value_factor
    row.high_value = plan.high_value
    row.high_value_services = sorted(set(plan.high_value_services))
    row.method = plan.method
    row.due_days = plan.due_days
    row.updated_at = utcnow()
    row.updated_by = actor
    session.add(row)
    session.flush()
    return row


def sampling_plan(session: Session, proof_code: str) -> PlanSettings:
    """The plan for ``proof_code``, or DEFAULT_PLAN when none is set."""
    row = session.get(SamplingPlan, proof_code)
    if row is None:
        return DEFAULT_PLAN
    return PlanSettings(
        base_rate=row.base_rate_bp / FULL_RATE_BP,
        first_time_factor=row.first_time_factor,
        high_value_factor=row.high_value_factor,
        high_value=row.high_value,
        high_value_services=tuple(str(s) for s in row.high_value_services),
        method=row.method,
        due_days=row.due_days,
    )


def _percent(rate_bp: int) -> str:
    return f"{rate_bp / 100:g}%"


def sampling_rate(
    plan: PlanSettings, *, first_time: bool, service_code: str | None
) -> SamplingRate:
    """The rate for one commitment under ``plan``, and each reason that shaped it (Chinese)."""
    base = round(plan.base_rate * FULL_RATE_BP)
    rate = float(base)
    reasons = [f"基础抽查比例 {_percent(base)}"]
    if first_time:
        rate *= plan.first_time_factor
        reasons.append(f"首次以承诺方式办理该证明事项 ×{plan.first_time_factor:g}")
    if plan.high_value or (service_code is not None and service_code in plan.high_value_services):
        rate *= plan.high_value_factor
        what = "高价值证明事项" if plan.high_value else f"高价值办理事项 {service_code}"
        reasons.append(f"{what} ×{plan.high_value_factor:g}")
    rate_bp = round(rate)
    if rate_bp > FULL_RATE_BP:
        rate_bp = FULL_RATE_BP
        reasons.append("封顶 100%")
    reasons.append(f"适用比例 {_percent(rate_bp)}")
    return SamplingRate(rate_bp, tuple(reasons))


def draw_value(seed: str, commitment_id: int) -> float:
    """The commitment's lot for ``seed``: a fraction in [0, 1) fixed by seed and id."""
    digest = hashlib.sha256(f"{seed}\x00{commitment_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _is_first_time(session: Session, commitment: Commitment) -> bool:
    assert commitment.submitted_at is not None
    earlier = select(Commitment.id).where(
        Commitment.applicant_id == commitment.applicant_id,
        Commitment.proof_code == commitment.proof_code,
        Commitment.status == CommitmentStatus.SUBMITTED,
        Commitment.id != commitment.id,
        Commitment.submitted_at <= commitment.submitted_at,
        # Same instant: the lower id came first.
        (Commitment.submitted_at < commitment.submitted_at) | (Commitment.id < commitment.id),
    )
    return session.scalars(earlier.limit(1)).first() is None


def _items_of(department: DepartmentKind) -> Select[str]:
    """The codes of the proof items whose issuing department is of kind ``department``."""
    return select(ProofItem.code).where(ProofItem.department_kind == department)


def check_department(session: Session, proof_code: str, department: DepartmentKind | None) -> None:
    """Forbidden unless ``department`` (None: the bureau, every item) owns ``proof_code``.

    国办发〔2020〕42号 二(四): the authority that accepted a commitment checks it; a proof
    item belongs to the department kind that used to issue the proof.
    """
    if department is None:
        return
    owner = session.scalar(select(ProofItem.department_kind).where(ProofItem.code == proof_code))
    if owner is not department:
        raise Forbidden(
            f"证明事项 {proof_code} 不属于本部门（{department.name_zh}），不能抽查或认定"
            f"（proof item {proof_code} is not {department.name_en}'s）",
            field="proof_code",
        )


def draw_after_checks(
    session: Session,
    *,
    proof_code: str | None = None,
    seed: str,
    department: DepartmentKind | None = None,
    now: dt.datetime | None = None,
) -> list[AfterCheck]:
    """Draw after-checks among submitted commitments no earlier draw considered.

    ``department`` limits the draw to its own proof items (Forbidden for another's
    ``proof_code``); None draws over all (the bureau). Every candidate is marked as
    considered with the rate applied, so a later draw does not
    give it a second chance; the selected ones get an AfterCheck (pending, due after the
    plan's ``due_days``). Returns the new checks in commitment order.
    """
    if not seed.strip():
        raise InvalidInput("抽查种子不能为空（the seed must not be empty）", field="seed")
    moment = now or utcnow()
    query = (
        select(Commitment)
        .where(Commitment.status == CommitmentStatus.SUBMITTED, Commitment.drawn_at.is_(None))
        .order_by(Commitment.id)
    )
    if proof_code is not None:
        check_department(session, proof_code, department)
        query = query.where(Commitment.proof_code == proof_code)
    elif department is not None:
        query = query.where(Commitment.proof_code.in_(_items_of(department)))
    plans: dict[str, PlanSettings] = {}
    drawn: list[AfterCheck] = []
    for commitment in session.scalars(query).all():
        plan = plans.get(commitment.proof_code)
        if plan is None:
            plan = plans[commitment.proof_code] = sampling_plan(session, commitment.proof_code)
        rate = sampling_rate(
            plan,
            first_time=_is_first_time(session, commitment),
            service_code=commitment.service_code,
        )
        commitment.drawn_at = moment
        commitment.draw_rate_bp = rate.rate_bp
        if draw_value(seed, commitment.id) * FULL_RATE_BP >= rate.rate_bp:
            continue
        check = AfterCheck(
            commitment_id=commitment.id,
            proof_code=commitment.proof_code,
            applicant_id=commitment.applicant_id,
            seed=seed,
            rate_bp=rate.rate_bp,
            rate_reasons="；".join(rate.reasons),
            method=plan.method,
            status=AfterCheckStatus.PENDING,
            drawn_at=moment,
            due_at=moment + dt.timedelta(days=plan.due_days),
        )
        session.add(check)
        drawn.append(check)
    session.flush()
    return drawn


def get_after_check(session: Session, check_id: int) -> AfterCheck:
    check = session.get(AfterCheck, check_id)
    if check is None:
        raise AfterCheckNotFound(
            f"没有编号为 {check_id} 的核查任务（after-check {check_id} does not exist）",
            field="id",
        )
    return check


def list_after_checks(
    session: Session,
    *,
    overdue: bool = False,
    proof_code: str | None = None,
    department: DepartmentKind | None = None,
    now: dt.datetime | None = None,
) -> list[AfterCheck]:
    """After-checks by due date; with ``overdue`` only pending ones past their due date;
    with ``department`` only those of its own proof items."""
    query = select(AfterCheck).order_by(AfterCheck.due_at, AfterCheck.id)
    if overdue:
        query = query.where(
            AfterCheck.status == AfterCheckStatus.PENDING, AfterCheck.due_at < (now or utcnow())
        )
    if proof_code is not None:
        query = query.where(AfterCheck.proof_code == proof_code)
    if department is not None:
        query = query.where(AfterCheck.proof_code.in_(_items_of(department)))
    return list(session.scalars(query))


def _consequence_basis(check: AfterCheck, method: AfterCheckMethod, note: str) -> str:
    return (
        f"事后核查 {check.id}（{method.zh}）发现承诺书 {check.commitment_id} 所承诺事项不实："
        f"{note}。依据国办发〔2020〕42号，对不实承诺依法处理并记入信用记录。"
    )


def record_outcome(
    session: Session,
    check_id: int,
    outcome: CheckOutcome,
    *,
    method: AfterCheckMethod,
    note: str,
    actor: str,
    consequence: CreditConsequence = CreditConsequence.REVOKE_DECISION,
    department: DepartmentKind | None = None,
    now: dt.datetime | None = None,
) -> AfterCheck:
    """Complete a pending check with its outcome; a false commitment opens a credit record
    with ``consequence`` (by default the decision made on the commitment is revoked).

    Raises AfterCheckNotFound, Forbidden when ``department`` (None: the bureau) does not own
    the check's proof item, InvalidInput for an empty note on a false commitment,
    CommitmentStateError when the check already has an outcome.
    """
    check = get_after_check(session, check_id)
    check_department(session, check.proof_code, department)
    if check.status is AfterCheckStatus.COMPLETED:
        assert check.outcome is not None
        raise CommitmentStateError(
            f"核查任务 {check_id} 已于 {check.checked_at:%Y-%m-%d} 记录结果「{check.outcome.zh}」"
            f"（after-check {check_id} already has an outcome）"
        )
    if outcome is CheckOutcome.FALSE_COMMITMENT and not note.strip():
        raise InvalidInput(
            "认定承诺不实必须写明核查发现的事实（state what was found）", field="note"
        )
    moment = now or utcnow()
    check.status = AfterCheckStatus.COMPLETED
    check.outcome = outcome
    check.method = method
    check.note = note.strip() or None
    check.checked_by = actor
    check.checked_at = moment
    if outcome is CheckOutcome.FALSE_COMMITMENT:
        commitment = session.get(Commitment, check.commitment_id)
        assert commitment is not None  # foreign key
        record_false_commitment(
            session,
            commitment,
            consequence=consequence,
            basis=_consequence_basis(check, method, note.strip()),
            actor=actor,
            after_check_id=check.id,
            now=moment,
        )
    session.flush()
    return check
