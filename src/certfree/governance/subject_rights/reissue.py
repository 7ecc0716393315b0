"""Sealing again the certificates that carry a corrected fact (PIPL 第46条: a correction
reaches every copy the processor keeps, and a certificate is one).

Each affected certificate of this node's library is replaced through the certificates'
lifecycle (``certs.replace_certificate``): version + 1 under the same serial and holder key,
the old version revoked as superseded, so a verifier checking the old one sees it invalid.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree import certs
from certfree.crypto import KeyStore
from certfree.governance.subject_rights.facts import Fact

__all__ = ["reissue_certificates"]


def reissue_certificates(
    session: Session, keys: KeyStore, subject_id: str, fact: Fact, value: str, *, base_url: str
) -> list[dict[str, Any]]:
    """Seal again every certificate of this node's library held by ``subject_id`` whose face
    carries ``fact`` with another value; the old version is revoked as superseded
    (``certs.replace_certificate``: version + 1, same serial, holder key kept)."""
    codes = {
        kind.code: fact.face_fields[kind.slug]
        for kind in certs.cert_types().values()
        if kind.slug in fact.face_fields
    }
    if not codes:
        return []
    held = session.scalars(
        select(certs.Certificate).where(
            certs.Certificate.holder_id == subject_id,
            certs.Certificate.type_code.in_(codes),
            certs.Certificate.status != certs.CertStatus.REVOKED,
        )
    ).all()
    done = []
    for old in held:
        name = codes[old.type_code]
        if old.face_data.get(name) == value:
            continue
        new = certs.replace_certificate(
            session, keys, old.identifier, face_data={**old.face_data, name: value},
            base_url=base_url,
        )  # fmt: skip
        row = certs.get_certificate(session, new.identifier)
        done.append(
            {
                "identifier": new.identifier,
                "superseded": old.identifier,
                "type_code": old.type_code,
                "credential": row.credential,
            }
        )
    return done
