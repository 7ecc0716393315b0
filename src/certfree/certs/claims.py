"""The claim layout of a sealed certificate (SD-JWT VC payload): what is visible, what is not.

Kept apart from the sealing steps so that the layout, which decides the presentation's size
and the QR version a holder shows, is one function.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from certfree.certs.issuers import Issuer
from certfree.certs.types import CertType

__all__ = ["BEIJING", "CertificateClaims", "Validity", "certificate_claims"]

BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


@dataclass(frozen=True, slots=True)
class Validity:
    valid_from: dt.date
    valid_to: dt.date | None  # None = 长期 (no end)


@dataclass(frozen=True, slots=True)
class CertificateClaims:
    claims: dict[str, Any]
    disclosable: list[str]


def _end_of_day(day: dt.date) -> int:
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), BEIJING)
    return int(end.timestamp()) - 1


def _start_of_day(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(), BEIJING).timestamp())


def certificate_claims(
    *,
    kind: CertType,
    issuer: Issuer,
    identifier: str,
    version: int,
    moment: dt.datetime,
    validity: Validity,
    holder_id: str,
    face: dict[str, Any],
    predicates: dict[str, Any],
    status_index: int,
    status_uri: str,
) -> CertificateClaims:
    """The payload claims and the names sealed as selectively disclosable."""
    today = moment.astimezone(BEIJING).date()
    claims: dict[str, Any] = {
        "iss": issuer.uscc,
        "iat": int(moment.timestamp()),
        "nbf": _start_of_day(validity.valid_from),
        "vct": kind.code,
        "status": {"status_list": {"idx": status_index, "uri": status_uri}},
        "certificate_id": identifier,
        "certificate_type": kind.code,
        "certificate_name": kind.name,
        "version": f"{version:03d}",
        "issuer_name": issuer.name,
        "issue_date": today.isoformat(),
        "valid_from": validity.valid_from.isoformat(),
        "valid_to": validity.valid_to.isoformat() if validity.valid_to else None,
        "holder_code_type": kind.holder_category.holder_code_type,
        "holder_id": holder_id,
        **face,
        **predicates,
    }
    if validity.valid_to is not None:
        claims["exp"] = _end_of_day(validity.valid_to)
    return CertificateClaims(claims, ["holder_id", *face, *predicates])
