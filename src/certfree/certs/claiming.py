"""A holder claims (认领) a backfilled paper-era certificate by binding their own key to it.

Backfill seals paper-era records without ``cnf``: the platform had no holder key then, and a
credential without ``cnf`` cannot be shown with key binding (RFC 9901 §4.3), so the wallet
cannot use it. Claiming seals the next version of the same certificate with the holder's
public key in ``cnf.jwk`` — same serial, version + 1 (GB/T 36904), the old version revoked as
``superseded`` so its status bit turns 1 in the next status list — exactly as 换发 does.

Only the holder may claim: over HTTP their applicant token names them (``sub`` = ID number);
at a service desk the clerk checks the applicant's ID card in person and types its number.
The validity stays that of the paper certificate: binding a key renews nothing. A key is
bound once; changing it afterwards is a replacement by the issuing organ.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from certfree.certs.claims import Validity
from certfree.certs.errors import HolderKeyAlreadyBound, NotCertificateHolder, StatusConflict
from certfree.certs.issuance import DEFAULT_BASE_URL, IssuedCertificate, check_holder_jwk
from certfree.certs.lifecycle import effective_status, locked_certificate, supersede
from certfree.certs.vocab import CertStatus
from certfree.crypto import KeyStore, jwk_thumbprint
from certfree.storage import utcnow

__all__ = ["claim_certificate", "is_claimable"]


def is_claimable(holder_jwk: Mapping[str, Any]) -> bool:
    """True for a stored certificate sealed without ``cnf`` (its ``holder_jwk`` is ``{}``)."""
    return not holder_jwk


def _refuse_status(identifier: str, status: CertStatus, superseded_by: str | None) -> None:
    if status is CertStatus.ISSUED:
        return
    if status is CertStatus.REVOKED and superseded_by:
        raise StatusConflict(f"证照 {identifier} 已换发为 {superseded_by}，请认领最新版本")
    if status is CertStatus.SUSPENDED:
        raise StatusConflict(f"证照 {identifier} 已暂停，不能认领；请先向发证机关申请恢复")
    raise StatusConflict(f"证照 {identifier} {status.zh}，不能认领")


def claim_certificate(
    session: Session,
    keys: KeyStore,
    identifier: str,
    holder_jwk: Mapping[str, Any],
    *,
    holder_id: str,
    now: dt.datetime | None = None,
    base_url: str = DEFAULT_BASE_URL,
) -> IssuedCertificate:
    """Bind ``holder_jwk`` to the certificate ``identifier`` of ``holder_id``; the new version.

    ``holder_id`` is the ID number (or USCC) of the person proven to be asking: the token's
    subject, or what a clerk read from the ID card. Raises InvalidInput (field
    ``holder_jwk``) for a private key or an unusable key; CertificateNotFound;
    NotCertificateHolder (403) when ``holder_id`` is not the certificate's holder;
    HolderKeyAlreadyBound (409) when it already has ``cnf``; StatusConflict (409) when it is
    suspended, revoked, superseded or expired.
    """
    jwk = check_holder_jwk(holder_jwk)
    jwk_thumbprint(jwk)  # RFC 7638 members present: the wallet can find its key again
    moment = now or utcnow()
    old = locked_certificate(session, identifier)
    if old.holder_id != holder_id.strip().upper():
        raise NotCertificateHolder(f"证照 {old.identifier} 不属于 {holder_id.strip()}，不能认领")
    if not is_claimable(old.holder_jwk):
        raise HolderKeyAlreadyBound(
            f"证照 {old.identifier} 已绑定持证人密钥（{jwk_thumbprint(old.holder_jwk)}）；"
            "更换密钥请向发证机关申请换发",
            field="holder_jwk",
        )
    _refuse_status(old.identifier, effective_status(old, moment), old.superseded_by)
    return supersede(
        session, keys, old, face_data=None, holder_jwk=jwk,
        validity=Validity(old.valid_from, old.valid_to), moment=moment, base_url=base_url,
    )  # fmt: skip
