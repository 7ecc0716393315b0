"""Turn verified token claims (RFC 7519 §4.1) into a Principal."""

from __future__ import annotations

import math
from typing import Any

from certfree.auth.roles import Principal, Role
from certfree.errors import AuthError

CLOCK_SKEW_SECONDS = 60


def principal_from_claims(
    claims: dict[str, Any], now: float, role_claim: str = "role"
) -> Principal:
    """Check time claims and build the Principal; AuthError names the failing claim."""
    for name in ("exp", "iat", "nbf"):
        if name in claims and not numeric_date(claims[name]):
            raise AuthError(f"bearer token refused: {name} is not a NumericDate")
    exp = claims.get("exp")
    if exp is None:
        raise AuthError("bearer token refused: no expiry (exp)")
    if exp + CLOCK_SKEW_SECONDS < now:
        raise AuthError("bearer token refused: expired (exp is in the past)")
    nbf = claims.get("nbf", claims.get("iat", now))
    if nbf - CLOCK_SKEW_SECONDS > now:
        raise AuthError("bearer token refused: not valid yet (iat/nbf in the future)")
    raw_role = claims.get(role_claim)
    if isinstance(raw_role, list):
        raw_role = next((r for r in raw_role if r in Role.__members__.values()), None)
    try:
        role = Role(str(raw_role))
    except ValueError:
        raise AuthError(f"bearer token refused: no known role in claim '{role_claim}'") from None
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise AuthError("bearer token refused: no subject (sub)")
    return Principal(
        subject=subject,
        role=role,
        issuer=str(claims.get("iss")),
        organisation=claims.get("org"),
        token_id=claims.get("jti"),
    )


def numeric_date(value: Any) -> bool:
    """RFC 7519 §2 NumericDate: a finite JSON number of seconds (not a boolean, NaN or ∞)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
