"""What a dishonest consumer node can do with consent attestations: make its own, alter a
genuine one, or carry a genuine one onto another use (the last needs no helper)."""

from __future__ import annotations

import json
from typing import Any

from certfree.crypto import Signer, b64url_decode, b64url_encode, canonical_json, sign_jws
from certfree.governance import ATTESTATION_TYP

__all__ = ["claims_of", "resigned", "tampered"]


def claims_of(token: str) -> dict[str, Any]:
    claims = json.loads(b64url_decode(token.split(".")[1]))
    assert isinstance(claims, dict)
    return claims


def resigned(token: str, signer: Signer, **changes: Any) -> str:
    """The claims of ``token`` with ``changes``, signed anew by ``signer`` (the forger's key)."""
    return sign_jws(signer, claims_of(token) | changes, header={"typ": ATTESTATION_TYP})


def tampered(token: str, **changes: Any) -> str:
    """``token`` with ``changes`` in its payload and the genuine header and signature kept."""
    header, _, signature = token.split(".")
    payload = b64url_encode(canonical_json(claims_of(token) | changes))
    return f"{header}.{payload}.{signature}"
