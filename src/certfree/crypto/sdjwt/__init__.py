"""SD-JWT (RFC 9901) with key binding, over the unified seal's own JWS.

The issuer JWT is any compact JWS our ``Signer`` makes (EdDSA, ES256, SM2); the verifier
accepts any JSON serialisation of header and payload (the RFC's examples are not canonical
JSON), recomputes every digest over the disclosure *as sent* (RFC 9901 §4.2.3) and checks the
key-binding JWT against the holder key in ``cnf.jwk`` (RFC 7800 §3.2, RFC 9901 §4.3).
Every refusal is an :class:`SdJwtInvalid` carrying a stable ``reason`` code.
"""

from __future__ import annotations

from certfree.crypto.sdjwt.errors import REASON_ZH, SdJwtInvalid, SdJwtReason
from certfree.crypto.sdjwt.issuance import (
    DEFAULT_TYP,
    KB_TYP,
    MAX_SD_JWT_LENGTH,
    SD_ALG,
    Disclosure,
    ParsedSdJwt,
    issue_sd_jwt,
    parse_sd_jwt,
    present_sd_jwt,
)
from certfree.crypto.sdjwt.jws import check_jws_signature, open_jws
from certfree.crypto.sdjwt.verification import VerifiedSdJwt, verify_sd_jwt

__all__ = [
    "DEFAULT_TYP",
    "KB_TYP",
    "MAX_SD_JWT_LENGTH",
    "REASON_ZH",
    "SD_ALG",
    "Disclosure",
    "ParsedSdJwt",
    "SdJwtInvalid",
    "SdJwtReason",
    "VerifiedSdJwt",
    "check_jws_signature",
    "issue_sd_jwt",
    "open_jws",
    "parse_sd_jwt",
    "present_sd_jwt",
    "verify_sd_jwt",
]
