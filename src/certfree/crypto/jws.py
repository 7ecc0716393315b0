"""Compact JWS (RFC 7515 §7.1) over canonical JSON, signed by any Signer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from certfree.crypto.algorithms import Signer
from certfree.crypto.encoding import b64url_decode, b64url_encode, canonical_json
from certfree.crypto.keys import KeyLike, parse_alg, verifier_for
from certfree.errors import InvalidInput, KeyNotFound, SignatureInvalid
from certfree.safejson import loads_untrusted

__all__ = ["sign_jws", "verify_jws"]

# Header members that come from the signer and that a caller's header may not change.
_PROTECTED_BY_SIGNER = frozenset({"alg", "kid"})


def sign_jws(
    signer: Signer, payload: Mapping[str, Any], *, header: Mapping[str, Any] | None = None
) -> str:
    """Compact JWS ``header.payload.signature`` of ``payload``.

    The protected header holds ``alg`` and ``kid`` of ``signer`` plus the members of
    ``header`` (``typ`` and the like); header and payload are canonical JSON (sorted keys,
    no spaces, UTF-8). Raises InvalidInput if ``header`` tries to set another alg or kid, or
    if a value is not JSON.
    """
    protected: dict[str, Any] = dict(header or {})
    for name in _PROTECTED_BY_SIGNER & protected.keys():
        own = signer.alg.value if name == "alg" else signer.kid
        if protected[name] != own:
            raise InvalidInput(f"header {name} {protected[name]!r} differs from signer's {own!r}")
    protected["alg"] = signer.alg.value
    protected["kid"] = signer.kid
    signing_input = (
        b64url_encode(canonical_json(protected)) + "." + b64url_encode(canonical_json(payload))
    )
    signature = signer.sign(signing_input.encode("ascii"))
    return signing_input + "." + b64url_encode(signature)


def _json_object(part: str, what: str) -> dict[str, Any]:
    try:  # strict JSON: no NaN/Infinity, bounded nesting (certfree.safejson)
        value = loads_untrusted(b64url_decode(part), what=what)
    except InvalidInput as exc:
        raise SignatureInvalid(f"malformed JWS: {what} is not base64url JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise SignatureInvalid(f"malformed JWS: {what} is not a JSON object")
    return value


def verify_jws(
    token: str, resolve_key: Callable[[str], KeyLike]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check a compact JWS and return its (header, payload).

    ``resolve_key`` maps the header's ``kid`` to a key (JWK, Verifier or public key) and
    raises KeyNotFound for a kid it does not know. Raises SignatureInvalid with the reason:
    malformed token, no or unknown kid, alg that is not the key's, unsupported ``crit``, or
    a signature that does not verify.
    """
    parts = token.split(".")
    if len(parts) != 3:
        raise SignatureInvalid(f"malformed JWS: expected 3 parts, got {len(parts)}")
    head_b64, payload_b64, signature_b64 = parts
    header = _json_object(head_b64, "header")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise SignatureInvalid("malformed JWS: header has no kid")
    try:
        alg = parse_alg(header.get("alg"))
    except InvalidInput as exc:
        raise SignatureInvalid(f"JWS refused: {exc.message}") from exc
    # RFC 7515 §4.1.11: reject a "crit" naming extensions not understood; we understand none.
    if "crit" in header:
        raise SignatureInvalid(f"JWS refused: critical header extensions {header['crit']!r}")
    try:
        verifier = verifier_for(resolve_key(kid))
    except KeyNotFound as exc:
        raise SignatureInvalid(f"unknown kid {kid}: {exc.message}") from exc
    except InvalidInput as exc:
        raise SignatureInvalid(f"unusable key for kid {kid}: {exc}") from exc
    # RFC 8725 §3.1: the key decides the algorithm; the header may only agree with it.
    if alg is not verifier.alg:
        raise SignatureInvalid(f"alg in header {alg} does not match key alg {verifier.alg}")
    payload = _json_object(payload_b64, "payload")
    try:
        signature = b64url_decode(signature_b64)
    except InvalidInput as exc:
        raise SignatureInvalid(f"malformed JWS: signature is not base64url ({exc})") from exc
    # All three parts passed the strict base64url check, so the signing input is ASCII.
    verifier.verify(f"{head_b64}.{payload_b64}".encode("ascii"), signature)
    return header, payload
