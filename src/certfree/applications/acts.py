"""The acts of the parties on an application, each joining a domain to the case.

* consent — a party's consent attestation (signed by the province, checked here for every
  question the plan asks about that party before it is stored) and their wallet key;
* certificate — a presentation made for this application (audience the accepting node, nonce
  the application id), verified and logged as a certificate use;
* commitment — the party signs the current commitment form of the slot's proof item; it is
  submitted with the application;
* submission — the receipt is sealed and the signed commitments go with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from certfree import certs, commitments
from certfree.applications.cases import log_event
from certfree.applications.errors import EvidenceNotAllowed, WrongState
from certfree.applications.evidence import (
    find_part,
    record_commitment,
    record_presentation,
    slot_at,
)
from certfree.applications.lifecycle import submit
from certfree.applications.models import Application, ApplicationParty
from certfree.applications.running import questions_of
from certfree.applications.vocab import OPEN_STATES, Action, SlotStatus
from certfree.crypto import KeyStore
from certfree.errors import InvalidInput
from certfree.governance import ConsentIssuer, ConsentRefused, attested_claims
from certfree.proofs import Way
from certfree.storage import utcnow

__all__ = [
    "asked_about",
    "attach_consent",
    "attach_presentation",
    "party_of",
    "register_wallet_key",
    "sign_slot_commitment",
    "submit_application",
]


def party_of(app: Application, subject: str) -> ApplicationParty:
    found = next((p for p in app.parties if p.subject_id == subject.strip().upper()), None)
    if found is None:
        raise EvidenceNotAllowed(
            f"{subject} 不是办件 {app.id} 的当事人（not a party to this application）",
            field="party",
        )
    return found


def asked_about(app: Application, subject: str) -> list[str]:
    """The questions the plan asks about ``subject`` (a party): what their consent covers."""
    return sorted({q.question for q in questions_of(app, everything=True) if subject in q.subjects})


def attach_consent(
    app: Application,
    *,
    subject: str,
    attestation: str,
    issuer: ConsentIssuer | None,
    holder_jwk: Mapping[str, Any] | None,
    actor: str,
    now: dt.datetime | None = None,
) -> ApplicationParty:
    """Store ``subject``'s consent attestation while the application is open (else WrongState),
    once it verifies as the province's, names this party, node, service item and this
    application, and covers every question the plan asks about them. Any fault is InvalidInput
    (field ``attestation``) saying what is wrong."""
    moment = now or utcnow()
    party = party_of(app, subject)
    _check_open(app, "同意")
    try:
        claims = _attested(app, party, attestation, issuer, question=None, now=moment)
        if claims.get("application") != app.id:
            raise InvalidInput(
                f"同意凭据须为办件 {app.id} 出具（application 声明），"
                f"收到 {claims.get('application')!s:.64}"
                f"（the attestation must name application {app.id}）",
                field="attestation",
            )
        for question in asked_about(app, party.subject_id):
            _attested(app, party, attestation, issuer, question=question, now=moment)
    except ConsentRefused as exc:
        raise InvalidInput(
            f"同意凭据不能用于此办件：{exc.message}"
            f"（the consent attestation does not fit this application: {exc.reason.value}）",
            field="attestation",
        ) from exc
    party.consent = attestation
    party.consented_at = moment
    party.consent_expires_at = dt.datetime.fromtimestamp(claims["exp"], dt.UTC)
    if holder_jwk is not None:
        party.holder_jwk = certs.check_holder_jwk(holder_jwk)
    log_event(app, actor=actor, action=Action.CONSENT, detail={"party": party.role}, now=moment)
    return party


def _attested(
    app: Application,
    party: ApplicationParty,
    attestation: str,
    issuer: ConsentIssuer | None,
    *,
    question: str | None,
    now: dt.datetime,
) -> dict[str, Any]:
    return attested_claims(
        attestation,
        issuer,
        subject_id=party.subject_id,
        consumer=app.node_code,
        service_item=app.service_code,
        question=question,
        application=app.id,
        now=now,
    )


def _check_open(app: Application, act: str) -> None:
    if app.state not in OPEN_STATES:
        raise WrongState(
            f"办件 {app.id} 已{app.state.label_zh}，不再接受{act}"
            f"（application is {app.state.value}: no longer open）",
            field="state",
        )


def register_wallet_key(
    app: Application,
    *,
    subject: str,
    holder_jwk: Mapping[str, Any],
    actor: str,
    now: dt.datetime | None = None,
) -> ApplicationParty:
    """The party's wallet public key, which result certificates are bound to (while the
    application is open; else WrongState)."""
    party = party_of(app, subject)
    _check_open(app, "钱包公钥")
    party.holder_jwk = certs.check_holder_jwk(holder_jwk)
    log_event(app, actor=actor, action=Action.WALLET_KEY, detail={"party": party.role}, now=now)
    return party


def attach_presentation(
    session: Session,
    keys: KeyStore,
    app: Application,
    *,
    position: int,
    presentation: str,
    verifier: str,
    verifier_org: str | None,
    actor: str,
    now: dt.datetime | None = None,
) -> SlotStatus:
    """Verify a presentation made for this application and record it in slot ``position``."""
    slot = slot_at(app, position)
    index = find_part(slot, Way.E_CERTIFICATE)
    context = certs.UseContext(
        verifier=verifier,
        verifier_org=verifier_org,
        audience=app.node_code,
        purpose=f"办理「{app.service_name}」（办件 {app.id}）",
        channel=certs.UseChannel.VERIFICATION,
    )
    result = certs.verify_and_record(session, keys, presentation, context, nonce=app.id, now=now)
    party = next((p for p in app.parties if p.subject_id == slot.subject_id), None)
    return record_presentation(
        app,
        slot,
        index,
        presentation,
        result,
        holder_jwk=party.holder_jwk if party else None,
        actor=actor,
        now=now,
    )


def sign_slot_commitment(
    session: Session,
    keys: KeyStore,
    app: Application,
    *,
    position: int,
    text_hash: str,
    actor: str,
    now: dt.datetime | None = None,
) -> SlotStatus:
    """The slot's party signs the commitment form of the slot's proof item (its text hash)."""
    slot = slot_at(app, position)
    index = find_part(slot, Way.COMMITMENT)
    signed = commitments.sign_commitment(
        session,
        keys,
        applicant_id=slot.subject_id or app.applicant_id,
        proof_code=slot.parts[index]["ref"],
        service_code=app.service_code,
        text_hash=text_hash,
        now=now,
    )
    assert signed.seal is not None
    return record_commitment(
        app, slot, index, commitment_id=signed.id, seal=signed.seal, actor=actor, now=now
    )


def submit_application(
    session: Session,
    keys: KeyStore,
    app: Application,
    *,
    actor: str,
    now: dt.datetime | None = None,
) -> None:
    """Submit (seal the receipt) and hand in the commitments signed for it."""
    submit(app, keys, actor=actor, now=now)
    for slot in app.slots:
        for part in slot.parts:
            proof = part.get("proof") or {}
            if part["way"] == Way.COMMITMENT.value and "commitment_id" in proof:
                found = commitments.get_commitment(session, proof["commitment_id"])
                if found.status is commitments.CommitmentStatus.SIGNED:
                    commitments.submit_commitment(session, found.id, now=now)
