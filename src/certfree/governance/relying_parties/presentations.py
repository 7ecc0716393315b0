"""The verification API's side of the minimality rule: a registered verifier receives no
claim beyond the scenario it verifies for (《个人信息保护法》第六条), whatever the holder's
wallet let through; a suspended one receives nothing.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from certfree.crypto import SdJwtInvalid, parse_sd_jwt
from certfree.governance.relying_parties.publication import (
    Register,
    ScenarioEntry,
    register_payload,
)
from certfree.governance.relying_parties.requests import check_disclosure

__all__ = ["check_presentation"]

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
    register = Register.from_payload(register_payload(session, ""))
    if register.party(organisation) is None:
        return None
    try:
        parsed = parse_sd_jwt(presentation)
    except SdJwtInvalid:
        return None
    names = [d.name for d in parsed.disclosures if d.name and d.name != _FACE_CLAIM]
    vct = parsed.payload.get("vct")
    return check_disclosure(
        register,
        organisation,
        names,
        scenario=scenario,
        vct=vct if isinstance(vct, str) else None,
        field="presentation",
    )
