"""The claim layout of a sealed certificate (SD-JWT VC payload): what is visible, what is not.

Kept apart from the sealing steps so that the layout, which decides the presentation's size
and the QR version a holder shows, is one function. Every issuer-signed digest travels in
every presentation (61 characters each), so the layout is built for the common showing, one
or two predicates (``age_over_60`` at a scenic-spot gate), to stay within QR version 27:

* visible, each once: ``iss`` (issuing organ's USCC), ``vct`` (GB/T 36902 type code, so no
  ``certificate_type``), ``iat`` (issue moment, so no ``issue_date``), ``nbf``/``exp``
  (validity, Beijing days, so no ``valid_from``/``valid_to``; ``nbf`` is left out when
  validity starts on the issue day and ``exp`` for 长期), ``status`` and ``cnf``. Type name
  and holder-code type follow from ``vct`` (the catalog), the issuer's name from ``iss`` (the
  node registry), so they are not repeated in every credential; the version is in the
  identifier.
* selectively disclosable at the top level: each predicate, and ``certificate_id`` (the
  GB/T 36904 identifier, 73 characters: a service desk asks for it, a gate checking an age
  does not; the base library finds a presented certificate by its status reference);
* the face data (照面信息, GB/T 36903) as one selectively disclosable object ``face`` whose
  members — every face field and ``holder_id`` — are each selectively disclosable inside it
  (RFC 9901 §4.2.6): the eight or so digests of the face travel only when a face field is
  shown. :func:`flatten_face` gives verifiers the flat view.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from certfree.certs.issuers import Issuer
from certfree.certs.types import CertType

__all__ = [
    "BEIJING",
    "FACE_CLAIM",
    "CertificateClaims",
    "Validity",
    "certificate_claims",
    "flatten_face",
    "shown_names",
    "validity_dates",
]

BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
FACE_CLAIM = "face"  # the object holding the face data (照面信息) and holder_id


@dataclass(frozen=True, slots=True)
class Validity:
    valid_from: dt.date
    valid_to: dt.date | None  # None = 长期 (no end)


@dataclass(frozen=True, slots=True)
class CertificateClaims:
    claims: dict[str, Any]
    # A name is a top-level claim; a pair (FACE_CLAIM, name) a member of the face object.
    disclosable: list[str | tuple[str, ...]]


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
    """The payload claims and the names sealed as selectively disclosable (module docstring)."""
    del version  # in certificate_id (GB/T 36904 §5); kept in the signature for the callers
    today = moment.astimezone(BEIJING).date()
    claims: dict[str, Any] = {
        "iss": issuer.uscc,
        "iat": int(moment.timestamp()),
        "vct": kind.code,
        "status": {"status_list": {"idx": status_index, "uri": status_uri}},
        "certificate_id": identifier,
        FACE_CLAIM: {"holder_id": holder_id, **face},
        **predicates,
    }
    if validity.valid_from != today:
        claims["nbf"] = _start_of_day(validity.valid_from)
    if validity.valid_to is not None:
        claims["exp"] = _end_of_day(validity.valid_to)
    members: list[str | tuple[str, ...]] = [(FACE_CLAIM, name) for name in claims[FACE_CLAIM]]
    return CertificateClaims(claims, [*members, FACE_CLAIM, "certificate_id", *predicates])


def flatten_face(claims: Mapping[str, Any]) -> dict[str, Any]:
    """Disclosed claims with the face object's members lifted to the top level.

    Verifiers, usage records and displays name face fields as ``name``, ``id_number`` …
    (the catalog's names); a member never replaces a top-level claim of the same name.
    """
    face = claims.get(FACE_CLAIM)
    flat = {k: v for k, v in claims.items() if k != FACE_CLAIM}
    if isinstance(face, Mapping):
        for name, value in face.items():
            flat.setdefault(name, value)
    elif face is not None:
        flat[FACE_CLAIM] = face
    return flat


def shown_names(names: Iterable[str]) -> tuple[str, ...]:
    """Disclosed claim names without the face object itself (it is only a container)."""
    names = tuple(names)
    return tuple(n for n in names if n != FACE_CLAIM) if FACE_CLAIM in names else names


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_BEIJING_OFFSET = 8 * 3600  # UTC+8 all year (no daylight saving since 1991)
_LAST_ORDINAL = dt.date.max.toordinal()
_LIMIT = 86400 * (_LAST_ORDINAL - _EPOCH_ORDINAL + 1)  # seconds to past the last date


def _day(moment: object) -> str | None:
    if not isinstance(moment, int | float) or isinstance(moment, bool) or math.isnan(moment):
        return None
    if not -_LIMIT <= moment <= _LIMIT:  # an infinity, or beyond what a date holds
        moment = _LIMIT if moment > 0 else -_LIMIT
    # Arithmetic rather than datetime.fromtimestamp: a verifier does this per presentation.
    days = int((moment + _BEIJING_OFFSET) // 86400)
    ordinal = min(max(_EPOCH_ORDINAL + days, 1), _LAST_ORDINAL)  # years 1 to 9999
    return dt.date.fromordinal(ordinal).isoformat()


def validity_dates(claims: Mapping[str, Any]) -> dict[str, str | None]:
    """GB/T 36903 dates from the standard claims: issue date (``iat``), first valid day
    (``nbf``, else the issue date) and last valid day (``exp``; None = 长期), Beijing dates."""
    issued = _day(claims.get("iat"))
    return {
        "issue_date": issued,
        "valid_from": _day(claims.get("nbf")) or issued,
        "valid_to": _day(claims.get("exp")),
    }
