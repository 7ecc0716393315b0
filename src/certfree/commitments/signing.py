"""Signing, submitting and withdrawing commitments, and the node's seal on each.

The applicant signs the SM3 digest of the form text they were shown; the node records who,
when and which text, and seals that record with its own key as a compact JWS (统一签章), so
anyone holding the node's JWKS can check that a stored commitment has not been altered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.commitments.credit import open_credit_record
from certfree.commitments.errors import (
    CommitmentNotFound,
    CommitmentRefused,
    CommitmentStateError,
    CreditBarred,
    StaleCommitmentText,
)
from certfree.commitments.forms import (
    check_item_allows_commitment,
    commitment_form,
)
from certfree.commitments.models import Commitment
from certfree.commitments.vocab import CommitmentStatus, FormLanguage
from certfree.crypto import KeyStore, sign_jws, verify_jws
from certfree.errors import (
    Forbidden,
    InvalidIdentifier,
    InvalidInput,
    KeyNotFound,
    SignatureInvalid,
)
from certfree.identifiers import parse_resident_id, parse_uscc
from certfree.proofs import get_item
from certfree.storage import utcnow

__all__ = [
    "SEAL_TYPE",
    "commitment_refusal",
    "commitments_of",
    "get_commitment",
    "normalise_applicant",
    "seal_claims",
    "sign_commitment",
    "submit_commitment",
    "verify_commitment_seal",
    "withdraw_commitment",
]

SEAL_TYPE = "certfree-commitment+jwt"
NODE_KEY_OWNER = "node"  # the owner of the node's key in the KeyStore (certfree.auth.tokens)


def normalise_applicant(applicant_id: str) -> str:
    """The canonical GB 11643 resident ID number or GB 32100 USCC; InvalidInput otherwise."""
    try:
        return parse_resident_id(applicant_id).number
    except InvalidIdentifier as as_person:
        try:
            return parse_uscc(applicant_id).code
        except InvalidIdentifier:
            raise InvalidInput(
                "申请人标识应为公民身份号码（GB 11643）或统一社会信用代码（GB 32100）："
                f"{as_person.message}",
                field="applicant_id",
            ) from None


def _credit_refusal(session: Session, applicant_id: str) -> CreditBarred | None:
    record = open_credit_record(session, applicant_id)
    if record is None:
        return None
    # 国办发〔2020〕42号 二(五): 对作出不实承诺的申请人，在信用修复前不再适用告知承诺.
    return CreditBarred(
        f"申请人有未修复的失信记录（编号 {record.id}，{record.recorded_at:%Y-%m-%d} 记录，"
        f"证明事项 {record.proof_code}），信用修复前不适用告知承诺，请按其他方式提供证明"
        f"（an unrepaired false-commitment record {record.id} bars the commitment route）"
    )


def commitment_refusal(session: Session, applicant_id: str, proof_code: str) -> str | None:
    """None when ``applicant_id`` may meet ``proof_code`` by commitment, else why not.

    The reason is a Chinese sentence with an English gloss: item abolished or not met by
    commitment, item in an area 国办发〔2020〕42号 excludes, or an unrepaired credit record.
    Raises the proofs domain's NotFound for an unknown item.
    """
    item = get_item(session, proof_code)
    try:
        check_item_allows_commitment(item)
    except CommitmentRefused as refusal:
        return refusal.message
    barred = _credit_refusal(session, applicant_id.strip().upper())
    return barred.message if barred else None


# Seal claim → the record's field (as stored and as the API shows it).
_RECORD_FIELD = {
    "cid": "id",
    "sub": "applicant_id",
    "proof": "proof_code",
    "service": "service_code",
    "lang": "lang",
    "template": "template_version",
    "text_hash": "text_hash",
    "iat": "signed_at",
}


def seal_claims(commitment: Commitment) -> dict[str, Any]:
    """The claims the node's seal covers: everything that identifies what was committed."""
    return {
        "cid": commitment.id,
        "sub": commitment.applicant_id,
        "proof": commitment.proof_code,
        "service": commitment.service_code,
        "lang": commitment.lang,
        "template": commitment.template_version,
        "text_hash": commitment.text_hash,
        "iat": int(commitment.signed_at.timestamp()),
    }


def sign_commitment(
    session: Session,
    keys: KeyStore,
    *,
    applicant_id: str,
    proof_code: str,
    service_code: str | None,
    text_hash: str,
    now: dt.datetime | None = None,
) -> Commitment:
    """Record and seal ``applicant_id``'s commitment to the current form for the item.

    ``text_hash`` must equal the ``text_hash`` of the current form (in either language) so the
    applicant signed exactly the text shown. Refusals, in this order: InvalidInput (applicant
    identifier), the proofs domain's NotFound, CommitmentNotOffered, ExcludedAreaRefused,
    CreditBarred, StaleCommitmentText.
    """
    applicant = normalise_applicant(applicant_id)
    forms = {
        lang: commitment_form(session, proof_code, service_code, lang.value)
        for lang in FormLanguage
    }
    barred = _credit_refusal(session, applicant)
    if barred is not None:
        raise barred
    signed = next((f for f in forms.values() if f.text_hash == text_hash.strip().lower()), None)
    if signed is None:
        current = forms[FormLanguage.ZH_CN]
        raise StaleCommitmentText(
            f"所签摘要 {text_hash[:16]}… 与证明事项 {current.proof_code} 当前承诺书文本不符，"
            "请重新获取承诺书、阅读后再签署"
            f"（the hash signed is not that of the current form, {current.text_hash}）",
            field="text_hash",
        )
    commitment = Commitment(
        applicant_id=applicant,
        proof_code=signed.proof_code,
        service_code=signed.service_code,
        lang=signed.lang.value,
        template_version=signed.template_version,
        text_hash=signed.text_hash,
        status=CommitmentStatus.SIGNED,
        # Whole seconds, so the seal's iat and the stored time are the same instant.
        signed_at=(now or utcnow()).replace(microsecond=0),
    )
    session.add(commitment)
    session.flush()  # the id is part of what the seal covers
    commitment.seal = sign_jws(
        keys.signer(NODE_KEY_OWNER), seal_claims(commitment), header={"typ": SEAL_TYPE}
    )
    session.flush()
    return commitment


def _published_claims(record: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """Seal claims and seal of a commitment as the API publishes it (JSON field names)."""
    try:
        signed_at = record["signed_at"]
        if isinstance(signed_at, str):
            signed_at = dt.datetime.fromisoformat(signed_at)
        claims = {
            "cid": int(record["id"]),
            "sub": record["applicant_id"],
            "proof": record["proof_code"],
            "service": record.get("service_code"),
            "lang": record["lang"],
            "template": record["template_version"],
            "text_hash": record["text_hash"],
            "iat": int(signed_at.timestamp()),
        }
        return claims, str(record["seal"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SignatureInvalid(f"not a commitment record: {exc!r}") from exc


def verify_commitment_seal(
    commitment: Commitment | Mapping[str, Any], jwks: Mapping[str, Any]
) -> dict[str, Any]:
    """Check the node's seal on a commitment against a JWK Set; return the sealed claims.

    ``commitment`` is a stored row or its JSON view from ``GET /api/v1/commitments/{id}``;
    ``jwks`` is the node's ``/.well-known/jwks.json``. Raises SignatureInvalid when the seal
    does not verify, is not a commitment seal, or the record differs from what was sealed
    (naming the field).
    """
    if isinstance(commitment, Commitment):
        expected, seal = seal_claims(commitment), commitment.seal
    else:
        expected, seal = _published_claims(commitment)
    keys = {str(k.get("kid")): k for k in jwks.get("keys", []) if isinstance(k, Mapping)}

    def resolve(kid: str) -> Mapping[str, Any]:
        try:
            return keys[kid]
        except KeyError:
            raise KeyNotFound(f"key {kid} is not in the JWK Set given") from None

    header, claims = verify_jws(seal, resolve)
    cid = expected["cid"]
    if header.get("typ") != SEAL_TYPE:
        raise SignatureInvalid(f"承诺书 {cid} 的签章不是承诺书签章（typ {header.get('typ')!r}）")
    for name, value in expected.items():
        if claims.get(name) != value:
            field = _RECORD_FIELD[name]
            raise SignatureInvalid(
                f"承诺书 {cid} 的 {field} 与签章不符，记录已被改动"
                f"（field {field} differs from the sealed value {claims.get(name)!r}）",
                field=field,
            )
    return claims


def get_commitment(
    session: Session, commitment_id: int, *, applicant_id: str | None = None
) -> Commitment:
    """The commitment ``commitment_id``; when ``applicant_id`` is given it must be theirs.

    Raises CommitmentNotFound, or Forbidden when it belongs to another applicant.
    """
    commitment = session.get(Commitment, commitment_id)
    if commitment is None:
        raise CommitmentNotFound(
            f"没有编号为 {commitment_id} 的承诺书（commitment {commitment_id} does not exist）",
            field="id",
        )
    if applicant_id is not None and commitment.applicant_id != applicant_id.strip().upper():
        raise Forbidden(
            f"承诺书 {commitment_id} 不是您签署的，只有承诺人本人可以查看或处理"
            f"（commitment {commitment_id} belongs to another applicant）"
        )
    return commitment


def commitments_of(session: Session, applicant_id: str) -> list[Commitment]:
    """Every commitment ``applicant_id`` has signed, newest first."""
    query = (
        select(Commitment)
        .where(Commitment.applicant_id == applicant_id.strip().upper())
        .order_by(Commitment.signed_at.desc(), Commitment.id.desc())
    )
    return list(session.scalars(query))


def submit_commitment(
    session: Session,
    commitment_id: int,
    *,
    applicant_id: str | None = None,
    now: dt.datetime | None = None,
) -> Commitment:
    """signed → submitted: the commitment goes with the application and can no longer be
    withdrawn. ``applicant_id``, when given, must own it. CommitmentStateError otherwise."""
    commitment = get_commitment(session, commitment_id, applicant_id=applicant_id)
    if commitment.status is not CommitmentStatus.SIGNED:
        raise CommitmentStateError(
            f"承诺书 {commitment_id} {commitment.status.zh}，只有已签署的承诺书可以提交"
            f"（commitment {commitment_id} is {commitment.status.value}; only a signed one"
            " can be submitted）"
        )
    commitment.status = CommitmentStatus.SUBMITTED
    commitment.submitted_at = now or utcnow()
    session.flush()
    return commitment


def withdraw_commitment(
    session: Session,
    commitment_id: int,
    *,
    applicant_id: str | None = None,
    now: dt.datetime | None = None,
) -> Commitment:
    """signed → withdrawn. Refused (CommitmentStateError) once submitted: the administration
    may already have decided on it and may check it afterwards."""
    commitment = get_commitment(session, commitment_id, applicant_id=applicant_id)
    if commitment.status is CommitmentStatus.SUBMITTED:
        raise CommitmentStateError(
            f"承诺书 {commitment_id} 已于 {commitment.submitted_at:%Y-%m-%d %H:%M} 提交，"
            "提交后不能撤回：行政机关可能已据此作出决定，并可对其进行核查"
            f"（commitment {commitment_id} was submitted and can no longer be withdrawn）"
        )
    if commitment.status is CommitmentStatus.WITHDRAWN:
        raise CommitmentStateError(
            f"承诺书 {commitment_id} 已经撤回（commitment {commitment_id} is already withdrawn）"
        )
    commitment.status = CommitmentStatus.WITHDRAWN
    commitment.withdrawn_at = now or utcnow()
    session.flush()
    return commitment
