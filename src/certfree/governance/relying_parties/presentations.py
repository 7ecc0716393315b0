"""The verification API's side of the minimality rule: a registered verifier receives no
claim beyond the scenario it verifies for (《个人信息保护法》第六条), whatever the holder's
wallet let through; a suspended one receives nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from certfree.crypto import SdJwtInvalid, parse_sd_jwt
from certfree.governance.relying_parties.publication import (
    Register,
    ScenarioEntry,
    register_payload,
)
from certfree.governance.relying_parties.requests import check_disclosure

__all__ = ["check_disclosed", "check_presentation"]

_FACE_CLAIM = "face"  # the container of the face fields (certs.claims), not a claim of its own


def check_presentation(
    session: Session,
    organisation: str | None,
    presentation: str,
    *,
    scenario: str | None = None,
) -> ScenarioEntry | None:
    """Refuse (RelyingPartyRefused, field ``presentation``) a presentation to the registered
    party ``organisation`` that discloses a claim or a certificate type outside its scenario
    (``scenario``, or any of its scenarios covering it); the scenario it fits, or None when
    the organisation is not registered or the presentation cannot be read (the verification
    then reports its format)."""
    if not organisation:
        return None
    try:
        parsed = parse_sd_jwt(presentation)
    except SdJwtInvalid:
        return None
    names = [d.name for d in parsed.disclosures if d.name]
    vct = parsed.payload.get("vct")
    return check_disclosed(
        session, organisation, names, vct if isinstance(vct, str) else None, scenario=scenario
    )


def check_disclosed(
    session: Session,
    organisation: str | None,
    names: Iterable[str],
    vct: str | None,
    *,
    scenario: str | None = None,
) -> ScenarioEntry | None:
    """As :func:`check_presentation`, for the claim names a verification found disclosed
    (a short code's presentation is read only when it is redeemed)."""
    if not organisation:
        return None
    register = Register.from_payload(register_payload(session, ""))
    if register.party(organisation) is None:
        return None
    return check_disclosure(
        register,
        organisation,
        [name for name in names if name != _FACE_CLAIM],
        scenario=scenario,
        vct=vct,
        field="presentation",
    )
