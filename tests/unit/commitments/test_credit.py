"""A false commitment bars the commitment route until the credit record is repaired."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from certfree import commitments
from certfree.commitments import AfterCheckMethod, CheckOutcome, CreditStatus, PlanSettings
from certfree.crypto import KeyStore
from certfree.errors import InvalidInput
from factories.commitments import applicant, proof_item, signed, submitted


def test_false_commitment_bars_every_item_until_repaired(session: Session, keys: KeyStore) -> None:
    item = proof_item(session)
    other = proof_item(session)
    person = applicant()
    commitments.set_sampling_plan(session, item.code, PlanSettings(base_rate=1), actor="d")
    submitted(session, keys, item.code, applicant_id=person)
    [check] = commitments.draw_after_checks(session, seed="s")
    commitments.record_outcome(
        session,
        check.id,
        CheckOutcome.FALSE_COMMITMENT,
        method=AfterCheckMethod.DATA_CHECK,
        note="婚姻登记库显示已婚",
        actor="d",
    )
    [record] = commitments.credit_records_for(session, person)

    reason = commitments.commitment_refusal(session, person, other.code)
    assert reason is not None
    assert f"失信记录（编号 {record.id}" in reason
    assert commitments.commitment_refusal(session, applicant(), other.code) is None
    with pytest.raises(commitments.CreditBarred, match="信用修复前不适用告知承诺"):
        signed(session, keys, other.code, applicant_id=person)

    with pytest.raises(InvalidInput, match="理由"):
        commitments.repair_credit(session, record.id, "bureau", " ")
    repaired = commitments.repair_credit(session, record.id, "bureau", "已履行整改并公开承诺")
    assert repaired.status is CreditStatus.REPAIRED
    assert repaired.repaired_by == "bureau"
    assert commitments.commitment_refusal(session, person, other.code) is None
    assert signed(session, keys, other.code, applicant_id=person).id > 0
    with pytest.raises(commitments.CommitmentStateError, match=r"已于 .* 修复"):
        commitments.repair_credit(session, record.id, "bureau", "again")
    assert [r.status for r in commitments.credit_records_for(session, person)] == [
        CreditStatus.REPAIRED
    ]


def test_unknown_credit_record(session: Session) -> None:
    with pytest.raises(commitments.CreditRecordNotFound, match="777"):
        commitments.repair_credit(session, 777, "bureau", "reason")
