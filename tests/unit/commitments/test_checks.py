"""After-checks: risk-based rates, reproducible draws, outcomes and overdue checks."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy.orm import Session

from certfree import commitments
from certfree.commitments import (
    AfterCheckMethod,
    AfterCheckStatus,
    CheckOutcome,
    CreditConsequence,
    PlanSettings,
)
from certfree.crypto import KeyStore
from certfree.errors import InvalidInput
from factories.commitments import applicant, proof_item, submitted

JUNE = dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC)


def test_rate_is_higher_for_first_time_and_high_value_and_capped() -> None:
    plan = PlanSettings(
        base_rate=0.1, first_time_factor=2, high_value_factor=3, high_value_services=("HV-1",)
    )
    repeat = commitments.sampling_rate(plan, first_time=False, service_code="S-1")
    first = commitments.sampling_rate(plan, first_time=True, service_code="S-1")
    valuable = commitments.sampling_rate(plan, first_time=False, service_code="HV-1")
    both = commitments.sampling_rate(plan, first_time=True, service_code="HV-1")
    assert (repeat.rate_bp, first.rate_bp, valuable.rate_bp, both.rate_bp) == (
        1000,
        2000,
        3000,
        6000,
    )
    assert any("首次" in r for r in first.reasons)
    assert any("高价值办理事项 HV-1" in r for r in valuable.reasons)
    assert not any("首次" in r or "高价值" in r for r in repeat.reasons)

    capped = commitments.sampling_rate(
        PlanSettings(base_rate=0.5, high_value=True), first_time=True, service_code=None
    )
    assert capped.rate_bp == commitments.FULL_RATE_BP
    assert "封顶 100%" in capped.reasons
    assert capped.reasons[-1] == "适用比例 100%"


@pytest.mark.parametrize(
    ("field", "plan"),
    [
        ("base_rate", PlanSettings(base_rate=1.5)),
        ("first_time_factor", PlanSettings(first_time_factor=0.5)),
        ("due_days", PlanSettings(due_days=0)),
    ],
)
def test_bad_plan_is_refused_naming_the_field(
    session: Session, field: str, plan: PlanSettings
) -> None:
    with pytest.raises(InvalidInput) as caught:
        commitments.set_sampling_plan(session, "T-1", plan, actor="dept")
    assert caught.value.field == field


def test_recorded_rate_reflects_first_time_and_high_value(session: Session, keys: KeyStore) -> None:
    item = proof_item(session)
    plan = PlanSettings(
        base_rate=0.1, first_time_factor=2, high_value_factor=3, high_value_services=("HV-1",)
    )
    commitments.set_sampling_plan(session, item.code, plan, actor="dept")
    assert commitments.sampling_plan(session, item.code) == plan
    person = applicant()
    first = submitted(session, keys, item.code, applicant_id=person, now=JUNE)
    repeat = submitted(session, keys, item.code, applicant_id=person, now=JUNE)
    valuable = submitted(
        session,
        keys,
        item.code,
        applicant_id=person,
        service_code="HV-1",
        now=JUNE + dt.timedelta(hours=1),
    )
    newcomer = submitted(session, keys, item.code, service_code="HV-1", now=JUNE)
    commitments.draw_after_checks(session, seed="2024-06", now=JUNE + dt.timedelta(days=1))
    rates = {c.id: c.draw_rate_bp for c in (first, repeat, valuable, newcomer)}
    assert rates == {first.id: 2000, repeat.id: 1000, valuable.id: 3000, newcomer.id: 6000}


def test_a_withdrawn_commitment_does_not_make_the_next_one_a_repeat(
    session: Session, keys: KeyStore
) -> None:
    item = proof_item(session)
    person = applicant()
    earlier = submitted(session, keys, item.code, applicant_id=person)
    earlier_other_item = submitted(session, keys, proof_item(session).code, applicant_id=person)
    commitments.draw_after_checks(session, seed="s")
    assert earlier.draw_rate_bp == earlier_other_item.draw_rate_bp == 1000  # 5% x2 by default


def test_draw_is_deterministic_for_a_seed_and_reproducible_by_anyone(
    session: Session, keys: KeyStore
) -> None:
    item = proof_item(session)
    commitments.set_sampling_plan(
        session, item.code, PlanSettings(base_rate=0.5, first_time_factor=1), actor="dept"
    )
    rows = [submitted(session, keys, item.code) for _ in range(40)]

    def draw(seed: str) -> list[int]:
        savepoint = session.begin_nested()
        drawn = [c.commitment_id for c in commitments.draw_after_checks(session, seed=seed)]
        savepoint.rollback()
        return drawn

    first, again, other = draw("2024-Q2"), draw("2024-Q2"), draw("2024-Q3")
    assert first == again
    assert first != other
    assert 5 < len(first) < 35
    # The published rule: SHA-256(seed NUL id), first 64 bits as a fraction, below the rate.
    expected = [
        c.id
        for c in rows
        if int.from_bytes(hashlib.sha256(f"2024-Q2\x00{c.id}".encode()).digest()[:8], "big") < 2**63
    ]
    assert first == expected


def test_a_commitment_is_considered_by_one_draw_only(session: Session, keys: KeyStore) -> None:
    item = proof_item(session)
    commitments.set_sampling_plan(session, item.code, PlanSettings(base_rate=1), actor="dept")
    row = submitted(session, keys, item.code)
    signed_only = proof_item(session)
    [check] = commitments.draw_after_checks(session, seed="a", now=JUNE)
    assert check.commitment_id == row.id
    assert check.rate_bp == commitments.FULL_RATE_BP
    assert check.method is AfterCheckMethod.DATA_CHECK
    assert check.due_at == JUNE + dt.timedelta(days=30)
    assert "基础抽查比例 100%" in check.rate_reasons
    assert commitments.draw_after_checks(session, seed="b") == []
    assert commitments.draw_after_checks(session, proof_code=signed_only.code, seed="c") == []
    with pytest.raises(InvalidInput, match="seed"):
        commitments.draw_after_checks(session, seed=" ")


def _one_check(session: Session, keys: KeyStore, **plan: object) -> commitments.AfterCheck:
    item = proof_item(session)
    settings = PlanSettings(base_rate=1, **plan)  # type: ignore[arg-type]
    commitments.set_sampling_plan(session, item.code, settings, actor="dept")
    submitted(session, keys, item.code)
    [check] = commitments.draw_after_checks(session, proof_code=item.code, seed="x", now=JUNE)
    return check


def test_confirmed_outcome_completes_the_check_without_credit(
    session: Session, keys: KeyStore
) -> None:
    check = _one_check(session, keys)
    done = commitments.record_outcome(
        session,
        check.id,
        CheckOutcome.CONFIRMED,
        method=AfterCheckMethod.DATA_CHECK,
        note="",
        actor="d1",
    )
    assert done.status is AfterCheckStatus.COMPLETED
    assert done.checked_by == "d1"
    assert commitments.credit_records_for(session, check.applicant_id) == []
    with pytest.raises(commitments.CommitmentStateError, match=r"已于 .* 记录结果「承诺属实」"):
        commitments.record_outcome(
            session,
            check.id,
            CheckOutcome.FALSE_COMMITMENT,
            method=AfterCheckMethod.ON_SITE,
            note="x",
            actor="d1",
        )


def test_false_outcome_creates_an_open_credit_record(session: Session, keys: KeyStore) -> None:
    check = _one_check(session, keys)
    with pytest.raises(InvalidInput, match="写明"):
        commitments.record_outcome(
            session,
            check.id,
            CheckOutcome.FALSE_COMMITMENT,
            method=AfterCheckMethod.ON_SITE,
            note=" ",
            actor="d1",
        )
    commitments.record_outcome(
        session,
        check.id,
        CheckOutcome.FALSE_COMMITMENT,
        method=AfterCheckMethod.ON_SITE,
        note="现场核查发现申请人已婚",
        actor="d1",
        consequence=CreditConsequence.TERMINATE,
    )
    [record] = commitments.credit_records_for(session, check.applicant_id)
    assert record.consequence is CreditConsequence.TERMINATE
    assert record.commitment_id == check.commitment_id
    assert record.after_check_id == check.id
    assert "现场核查发现申请人已婚" in record.basis
    assert "国办发〔2020〕42号" in record.basis


def test_overdue_lists_pending_checks_past_due(session: Session, keys: KeyStore) -> None:
    late = _one_check(session, keys, due_days=10)
    soon = _one_check(session, keys, due_days=60)
    done = _one_check(session, keys, due_days=5)
    commitments.record_outcome(
        session,
        done.id,
        CheckOutcome.UNABLE_TO_VERIFY,
        method=AfterCheckMethod.WRITTEN,
        note="",
        actor="d",
    )
    on = JUNE + dt.timedelta(days=20)
    overdue = commitments.list_after_checks(session, overdue=True, now=on)
    assert [c.id for c in overdue] == [late.id]
    assert soon.id in [c.id for c in commitments.list_after_checks(session)]
    with pytest.raises(commitments.AfterCheckNotFound):
        commitments.get_after_check(session, 424242)
