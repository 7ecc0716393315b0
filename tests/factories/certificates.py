"""Issuing e-certificates in tests: type codes, a fixed clock, issuing a type's own example."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from certfree import certs
from certfree.crypto import Alg, Jwk, KeyStore, generate_signer

ELDERLY_CARD = "11100000000013709K001"
ID_CARD = "11100000000013047R001"
BUSINESS_LICENCE = "111000000000141036001"
REAL_ESTATE = "111000000000139016001"  # sealed with ES256 (data/issuers.json: ZR)
NOW = dt.datetime(2026, 11, 29, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing


def holder_key() -> Jwk:
    """A holder's P-256 public key, as a wallet sends it."""
    return generate_signer(Alg.ES256).public_jwk()


def example_face(code: str, **changes: Any) -> dict[str, Any]:
    return {**certs.cert_type(code).example, **changes}


def issue_example(
    session: Session,
    keys: KeyStore,
    code: str,
    holder_jwk: Jwk | None = None,
    *,
    now: dt.datetime = NOW,
    seal_alg: Alg | None = None,
    **changes: Any,
) -> certs.IssuedCertificate:
    """Issue ``code`` by its default issuer with its catalogue example, ``changes`` applied;
    ``seal_alg`` asks for a seal in that algorithm (None: the organ's default seal)."""
    kind = certs.cert_type(code)
    face = example_face(code, **changes)
    assert kind.holder_field is not None
    return certs.issue_certificate(
        session,
        keys,
        type_code=code,
        holder_id=face[kind.holder_field],
        face_data=face,
        holder_jwk=holder_jwk or holder_key(),
        now=now,
        seal_alg=seal_alg,
    )
