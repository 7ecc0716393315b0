"""Byte encodings shared by keys and tokens: base64url, canonical JSON, JWK thumbprints."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any, TypeGuard

from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from certfree.errors import InvalidInput, SignatureInvalid

__all__ = [
    "b64url_decode",
    "b64url_encode",
    "canonical_json",
    "der_to_raw",
    "is_numeric_date",
    "jwk_thumbprint",
    "raw_to_der",
]

_NOT_B64URL = re.compile(rb"[^A-Za-z0-9_-]")  # RFC 4648 §5 alphabet
_TO_STANDARD = bytes.maketrans(b"-_", b"+/")  # RFC 4648 §5 → §4 alphabet
# RFC 7638 §3.2: the members that enter the thumbprint, per key type (RFC 8037 §2 for OKP).
# SM2 keys are EC keys on another curve, so they hash the same four members.
_THUMBPRINT_MEMBERS = {"OKP": ("crv", "kty", "x"), "EC": ("crv", "kty", "x", "y")}
# The last second of 9999-12-31 UTC: the largest NumericDate a datetime can hold.
MAX_NUMERIC_DATE = 253_402_300_799
# ES256 (RFC 7518 §3.4) and SM2 signatures travel as two 32-byte big-endian integers r || s.
_RAW_SIGNATURE_SIZE = 64


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2, RFC 4648 §5)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str | bytes) -> bytes:
    """Decode unpadded base64url; raise InvalidInput on anything else.

    Padding, characters outside the url-safe alphabet and non-canonical encodings (stray
    trailing bits) are refused, so one byte string has exactly one accepted encoding and a
    signed token cannot be altered without breaking its signature.
    """
    if isinstance(text, str) and not text.isascii():
        raise InvalidInput("not base64url: it contains non-ASCII characters")
    raw = text.encode("ascii") if isinstance(text, str) else bytes(text)
    data = _decode_canonical(raw)
    if data is not None:
        return data
    # Not a canonical encoding: find what to say about it.
    if b"=" in raw:
        raise InvalidInput("base64url must be unpadded (RFC 7515 §2), found '='")
    stray = _NOT_B64URL.search(raw)
    if stray:
        raise InvalidInput(f"not base64url: character {stray.group().decode('latin-1')!r}")
    try:
        data = base64.b64decode(raw + b"=" * (-len(raw) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(f"not base64url: {exc}") from exc
    if b64url_encode(data).encode("ascii") != raw:
        raise InvalidInput("not canonical base64url: unused trailing bits are set")
    return data


def _decode_canonical(raw: bytes) -> bytes | None:
    """``raw`` decoded if it is canonical unpadded base64url, else None; in C but for the
    last group (every node decodes each message it passes several times, so this is hot).

    Strict decoding of the standard alphabet, once '-' and '_' stand for '+' and '/', refuses
    any other character; '+', '/' and '=' are refused before. Only the last group of an
    unpadded encoding has unused bits (RFC 4648 §3.5): encoding its bytes again must give
    the same characters.
    """
    if b"+" in raw or b"/" in raw or b"=" in raw:
        return None
    tail = len(raw) % 4
    try:
        data = binascii.a2b_base64(
            raw.translate(_TO_STANDARD) + b"=" * (-tail % 4), strict_mode=True
        )
    except binascii.Error:
        return None
    if tail and base64.urlsafe_b64encode(data[len(data) - tail + 1 :])[:tail] != raw[-tail:]:
        return None
    return data


def is_numeric_date(value: object) -> TypeGuard[int]:
    """Whether ``value`` is a NumericDate (RFC 7519 §2) as certfree accepts one.

    RFC 7519 §2 allows non-integer seconds; we are stricter and take only JSON integers
    from 0 (1970) to the end of year 9999: every token and credential certfree makes carries
    whole seconds, I-JSON (RFC 7493 §2.2) advises integers for interoperable numbers, and a
    float brings NaN and infinities, which compare false with every bound (a NaN ``iat``
    would pass any freshness window) or overflow on conversion. ``bool`` is refused too,
    though Python counts it as an int.
    """
    return type(value) is int and 0 <= value <= MAX_NUMERIC_DATE


def canonical_json(value: Any) -> bytes:
    """UTF-8 JSON with sorted keys, no spaces, no ASCII escaping and no NaN/Infinity."""
    try:
        text = json.dumps(
            value, separators=(",", ":"), ensure_ascii=False, sort_keys=True, allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"value cannot be encoded as JSON: {exc}") from exc
    return text.encode("utf-8")


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 JWK thumbprint: base64url(SHA-256) of the required members, sorted, compact.

    Raises InvalidInput when the key type is not OKP or EC or a required member is missing.
    """
    kty = jwk.get("kty")
    members = _THUMBPRINT_MEMBERS.get(kty) if isinstance(kty, str) else None
    if members is None:
        raise InvalidInput(f"JWK kty must be OKP or EC, got {kty!r}", field="kty")
    required: dict[str, str] = {}
    for name in members:
        member = jwk.get(name)
        if not isinstance(member, str) or not member:
            raise InvalidInput(f"JWK of kty {kty} needs a string member {name!r}", field=name)
        required[name] = member
    # RFC 7638 §3.3: lexicographic member order, no whitespace — what canonical_json emits.
    return b64url_encode(hashlib.sha256(canonical_json(required)).digest())


def raw_to_der(signature: bytes) -> bytes:
    """``r || s`` (RFC 7518 §3.4) to the DER SEQUENCE of X9.62; SignatureInvalid if not 64 B."""
    if len(signature) != _RAW_SIGNATURE_SIZE:
        raise SignatureInvalid(
            f"signature must be {_RAW_SIGNATURE_SIZE} bytes, got {len(signature)}"
        )
    half = _RAW_SIGNATURE_SIZE // 2
    r = int.from_bytes(signature[:half], "big")
    s = int.from_bytes(signature[half:], "big")
    return encode_dss_signature(r, s)


def der_to_raw(signature: bytes) -> bytes:
    """The DER SEQUENCE of (r, s) to fixed-width ``r || s``."""
    r, s = decode_dss_signature(signature)
    half = _RAW_SIGNATURE_SIZE // 2
    return r.to_bytes(half, "big") + s.to_bytes(half, "big")
