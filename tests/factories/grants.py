"""Grants and consent attestations for exchange tests: one consumer, one service item, one
province signing attestations, a fixed clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from certfree.catalog import Grant, create_grant
from certfree.crypto import Signer, generate_signer
from certfree.governance import ConsentIssuer, attest_consent, preview
from certfree.questions import get_question

AS_OF = dt.date(2024, 6, 1)
NOW = dt.datetime(2024, 6, 1, 8, 0, tzinfo=dt.UTC)
CONSUMER = "370100"
# 内地居民结婚登记 of the demo catalogue.
SERVICE_ITEM = "371A0101000000-370100000000-000-113701000100000206-1-00"
# The province that signs consent attestations, and how a provider's registry shows it.
PROVINCE = "370000"
PROVINCE_SIGNER = generate_signer()
ISSUER = ConsentIssuer(PROVINCE, {PROVINCE_SIGNER.kid: PROVINCE_SIGNER.verifier})


def provider_of(question: str, city: str = "370100") -> str:
    """The department node of ``city`` that answers ``question`` (370100-MZ …)."""
    return f"{city}-{get_question(question).department.value}"


def grant_for(
    session: Session,
    question: str,
    *,
    consumer: str = CONSUMER,
    provider: str | None = None,
    service_item: str = SERVICE_ITEM,
    data_items: Sequence[str] | None = None,
    valid_from: dt.datetime | None = None,
    valid_to: dt.datetime | None = None,
    consent_exempt_basis: str | None = None,
) -> Grant:
    """A grant of ``question`` (its core data items unless given), valid from a day before NOW."""
    return create_grant(
        session,
        consumer=consumer,
        provider=provider or provider_of(question),
        question=question,
        service_item=service_item,
        purpose="测试用途",
        data_items=data_items or get_question(question).core_data_items,
        created_by="test",
        valid_from=valid_from or NOW - dt.timedelta(days=1),
        valid_to=valid_to,
        consent_exempt_basis=consent_exempt_basis,
    )


def consent_for(
    session: Session,
    subject_id: str,
    *questions: str,
    consumer: str = CONSUMER,
    service_item: str = SERVICE_ITEM,
    given_at: dt.datetime = NOW - dt.timedelta(hours=1),
    expires_at: dt.datetime | None = None,
    signer: Signer = PROVINCE_SIGNER,
    issuer: str = PROVINCE,
) -> str:
    """The consent attestation of ``subject_id``'s consent to ``questions``, signed as the
    province (its consent recorded in ``session``)."""
    asked = [get_question(q) for q in questions]
    return attest_consent(
        session,
        signer,
        issuer=issuer,
        subject_id=subject_id,
        consumer=consumer,
        service_item=service_item,
        questions=asked,
        purpose="测试用途",
        text=preview(session, service_item, asked)["text_zh"],
        expires_at=expires_at,
        now=given_at,
    ).token
