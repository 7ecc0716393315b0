"""Signing, the node's seal, submission and withdrawal; each refusal says why."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from certfree import commitments
from certfree.commitments import CommitmentStatus
from certfree.crypto import KeyStore
from certfree.errors import Forbidden, InvalidInput, NotFound, SignatureInvalid
from certfree.identifiers import make_uscc
from certfree.proofs import ExcludedArea, Way, abolish_item, amend_item
from factories.commitments import applicant, proof_item, signed, submitted

NOON = dt.datetime(2024, 6, 1, 12, 0, 0, 123456, tzinfo=dt.UTC)


def test_signing_records_identity_time_and_the_exact_text(session: Session, keys: KeyStore) -> None:
    item = proof_item(session)
    person = applicant()
    form = commitments.commitment_form(session, item.code, "S-1", "en")
    row = commitments.sign_commitment(
        session,
        keys,
        applicant_id=person.lower(),
        proof_code=item.code,
        service_code="S-1",
        text_hash=form.text_hash,
        now=NOON,
    )
    assert row.applicant_id == person
    assert row.status is CommitmentStatus.SIGNED
    assert row.text_hash == form.text_hash
    assert row.lang == "en"
    assert row.template_version == commitments.TEMPLATE_VERSION
    assert row.signed_at == NOON.replace(microsecond=0)
    assert row.seal.count(".") == 2


def test_a_stale_or_other_hash_is_refused(session: Session, keys: KeyStore) -> None:
    item = proof_item(session, fact="申请人无犯罪记录")
    other = proof_item(session)
    shown = commitments.commitment_form(session, item.code)
    amend_item(session, item.code, {"fact": "申请人近五年无犯罪记录"}, "admin", "法规修订")
    for text_hash in (shown.text_hash, commitments.commitment_form(session, other.code).text_hash):
        with pytest.raises(commitments.StaleCommitmentText, match="重新获取承诺书") as caught:
            commitments.sign_commitment(
                session,
                keys,
                applicant_id=applicant(),
                proof_code=item.code,
                service_code=None,
                text_hash=text_hash,
            )
        assert caught.value.field == "text_hash"
    # The form for another service item is another text, too.
    for_service = commitments.commitment_form(session, item.code, "S-9").text_hash
    with pytest.raises(commitments.StaleCommitmentText):
        commitments.sign_commitment(
            session,
            keys,
            applicant_id=applicant(),
            proof_code=item.code,
            service_code=None,
            text_hash=for_service,
        )


def test_seal_verifies_with_the_node_jwks_and_fails_when_the_row_is_altered(
    session: Session, keys: KeyStore
) -> None:
    item = proof_item(session)
    row = signed(session, keys, item.code, service_code="S-1")
    claims = commitments.verify_commitment_seal(row, keys.jwks("node"))
    assert claims["sub"] == row.applicant_id
    assert claims["text_hash"] == row.text_hash
    assert claims["cid"] == row.id

    row.text_hash = commitments.commitment_form(session, item.code).text_hash
    with pytest.raises(SignatureInvalid, match="text_hash") as caught:
        commitments.verify_commitment_seal(row, keys.jwks("node"))
    assert caught.value.field == "text_hash"


def test_seal_fails_for_another_key_or_a_forged_seal(
    session: Session, keys: KeyStore, tmp_path: Path
) -> None:
    item = proof_item(session)
    row = signed(session, keys, item.code)
    stranger = KeyStore(tmp_path / "other", "another-passphrase")
    stranger.create("node")
    with pytest.raises(SignatureInvalid, match="unknown kid"):
        commitments.verify_commitment_seal(row, stranger.jwks("node"))
    head, payload, signature = row.seal.split(".")
    row.seal = f"{head}.{payload}.{signature[:-4]}AAAA"
    with pytest.raises(SignatureInvalid):
        commitments.verify_commitment_seal(row, keys.jwks())


@pytest.mark.parametrize(
    ("area", "label"),
    [
        (ExcludedArea.PUBLIC_SAFETY, "公共安全"),
        (ExcludedArea.LIFE_HEALTH_PROPERTY, "生命财产安全"),
        (ExcludedArea.NATIONAL_SECURITY, "国家安全"),
    ],
)
def test_an_excluded_area_item_is_refused(
    session: Session, keys: KeyStore, area: ExcludedArea, label: str
) -> None:
    item = proof_item(session, ways=(Way.DEPARTMENT_VERIFICATION, Way.PAPER), excluded_area=area)
    with pytest.raises(commitments.ExcludedAreaRefused, match=label):
        commitments.sign_commitment(
            session,
            keys,
            applicant_id=applicant(),
            proof_code=item.code,
            service_code=None,
            text_hash="sm3:" + "0" * 64,
        )
    reason = commitments.commitment_refusal(session, applicant(), item.code)
    assert reason is not None
    assert label in reason
    assert "国办发〔2020〕42号" in reason


def test_refusals_for_unknown_abolished_and_paper_only_items(
    session: Session, keys: KeyStore
) -> None:
    person = applicant()
    with pytest.raises(NotFound):
        commitments.commitment_refusal(session, person, "NO-SUCH")
    paper = proof_item(session, ways=(Way.PAPER,))
    assert "不含告知承诺" in (commitments.commitment_refusal(session, person, paper.code) or "")
    gone = proof_item(session)
    assert commitments.commitment_refusal(session, person, gone.code) is None
    abolish_item(session, gone.code, "admin", "无法定依据")
    assert "已取消" in (commitments.commitment_refusal(session, person, gone.code) or "")


def test_applicant_must_be_a_resident_id_or_uscc(session: Session, keys: KeyStore) -> None:
    item = proof_item(session)
    with pytest.raises(InvalidInput, match="GB 11643") as caught:
        signed(session, keys, item.code, applicant_id="12345")
    assert caught.value.field == "applicant_id"
    uscc = make_uscc("9", "1", "370102", "MA3C4XKE")
    firm = signed(session, keys, item.code, applicant_id=uscc.lower())
    assert firm.applicant_id == uscc


def test_withdraw_before_submission_only(session: Session, keys: KeyStore) -> None:
    item = proof_item(session)
    person = applicant()
    first = signed(session, keys, item.code, applicant_id=person)
    withdrawn = commitments.withdraw_commitment(session, first.id, applicant_id=person)
    assert withdrawn.status is CommitmentStatus.WITHDRAWN
    assert withdrawn.withdrawn_at is not None
    with pytest.raises(commitments.CommitmentStateError, match="已经撤回"):
        commitments.withdraw_commitment(session, first.id)
    with pytest.raises(commitments.CommitmentStateError, match="只有已签署的承诺书可以提交"):
        commitments.submit_commitment(session, first.id)

    second = submitted(session, keys, item.code, applicant_id=person)
    assert second.status is CommitmentStatus.SUBMITTED
    with pytest.raises(commitments.CommitmentStateError, match="提交后不能撤回"):
        commitments.withdraw_commitment(session, second.id, applicant_id=person)


def test_only_the_owner_acts_on_a_commitment(session: Session, keys: KeyStore) -> None:
    item = proof_item(session)
    row = signed(session, keys, item.code)
    with pytest.raises(Forbidden, match="不是您签署的"):
        commitments.withdraw_commitment(session, row.id, applicant_id=applicant())
    with pytest.raises(commitments.CommitmentNotFound, match="99999"):
        commitments.get_commitment(session, 99999)
    assert [c.id for c in commitments.commitments_of(session, row.applicant_id)] == [row.id]
