"""Compact JWS as the SD-JWT verifier reads it: any JSON form, no ``kid`` required.

``certfree.crypto.verify_jws`` wants our own canonical tokens with a ``kid``; issuers'
SD-JWTs (RFC 9901's examples, the reference implementation's) carry neither, so the
issuer's key is found from header and payload together by the caller.
"""

from __future__ import annotations

import binascii
import hashlib
import string
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from certfree.crypto.algorithms import Alg, Verifier
from certfree.crypto.ed25519 import Ed25519Verifier
from certfree.crypto.keys import KeyLike, verifier_for
from certfree.crypto.p256 import ES256Verifier
from certfree.crypto.sdjwt.errors import SdJwtInvalid, SdJwtReason
from certfree.crypto.sm2 import SM2Verifier
from certfree.errors import InvalidInput, SignatureInvalid
from certfree.safejson import loads_untrusted

__all__ = ["b64_json", "check_jws_signature", "disclosure_digest", "open_jws", "strict_b64url"]

# RFC 9901 §7.1 step 2.2 / RFC 8725 §3.1: "none" and MAC algorithms are never acceptable.
_ALLOWED_ALGS = frozenset(a.value for a in Alg)


_FAST_KEYS: dict[tuple[object, object], str] = {
    ("OKP", "Ed25519"): "EdDSA",
    ("EC", "P-256"): "ES256",
}
_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())
_P256 = ec.SECP256R1()
_OUR_VERIFIERS = (Ed25519Verifier, ES256Verifier, SM2Verifier)
_B64_VALUE = {
    ord(c): i
    for i, c in enumerate(string.ascii_uppercase + string.ascii_lowercase + "0123456789-_")
}
_UNUSED_BITS = {2: 0b1111, 3: 0b11}  # 2 chars carry 1 byte (4 spare bits), 3 carry 2 (2 spare)
_PADDING = {0: b"", 2: b"==", 3: b"="}
_TO_STANDARD = bytes.maketrans(b"-_+/=", b"+/!!!")
_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")
_HEADERS: dict[str, dict[str, Any]] = {}  # base64url header → its checked JSON
_HEADERS_KEPT = 256
_NOT_ALPHABET = "not base64url: characters outside A-Z a-z 0-9 - _"
_NOT_CANONICAL = "not canonical base64url: bad length or unused trailing bits set"


def disclosure_digest(encoded: str) -> str:
    # RFC 9901 §4.2.3: the hash is over the ASCII bytes of the base64url disclosure as sent.
    # 32 bytes are 43 base64 characters and one '=' (dropped); binascii skips base64's
    # Python-level wrappers, which cost as much as the hash on a 60-character disclosure.
    digest = hashlib.sha256(encoded.encode("ascii")).digest()
    return binascii.b2a_base64(digest, newline=False)[:43].translate(_TO_URLSAFE).decode("ascii")


def strict_b64url(text: str) -> bytes:
    """Unpadded base64url (RFC 7515 §2), refusing what ``encoding.b64url_decode`` refuses.

    The same contract, but checks canonical form from the last character's unused bits
    (RFC 4648 §3.5) instead of re-encoding, and lets binascii's strict mode refuse stray
    characters; a verifier decodes a dozen parts per presentation.
    """
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        raise InvalidInput("not base64url: it contains non-ASCII characters") from None
    tail = len(raw) % 4
    if tail == 1:
        raise InvalidInput(_NOT_CANONICAL)
    try:
        # One pass maps base64url to base64 and the standard alphabet's own '+', '/' and
        # '=' to '!', which the strict decoder refuses like any other stray character.
        data = binascii.a2b_base64(raw.translate(_TO_STANDARD) + _PADDING[tail], strict_mode=True)
    except binascii.Error:
        raise InvalidInput(_NOT_ALPHABET) from None
    if tail and _B64_VALUE[raw[-1]] & _UNUSED_BITS[tail]:
        raise InvalidInput(_NOT_CANONICAL)
    return data


def b64_json(part: str, what: str, reason: SdJwtReason = SdJwtReason.MALFORMED) -> Any:
    """The JSON value ``part`` encodes; SdJwtInvalid(``reason``) for bad base64url or JSON.

    RFC 7519 §4: duplicate member names are either refused or the lexically last one is
    used (ECMAScript 5.1 §15.12); the last one is used. NaN/Infinity, numbers that overflow
    and deep nesting are refused (``certfree.safejson``).
    """
    try:
        return loads_untrusted(strict_b64url(part), what=what)
    except InvalidInput as exc:
        raise SdJwtInvalid(reason, f"{what} is not base64url JSON ({exc.message})") from exc


def open_jws(token: str, what: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """Split a compact JWS into (header, payload, signing input, signature), unverified.

    Refuses (MALFORMED) anything but three base64url parts with JSON object header and
    payload, and (ALG_NOT_ALLOWED) an ``alg`` that is not EdDSA, ES256 or SM2.
    """
    parts = token.split(".")
    if len(parts) != 3:
        raise SdJwtInvalid(SdJwtReason.MALFORMED, f"{what} must have 3 parts, got {len(parts)}")
    head, body, tail = parts
    # A header repeats across tokens (one per issuer key; every key binding made by our
    # wallets is alike): one that passed the checks below is not decoded again.
    known = _HEADERS.get(head)
    header = dict(known) if known is not None else b64_json(head, what + " header")
    payload = b64_json(body, what + " payload")
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise SdJwtInvalid(SdJwtReason.MALFORMED, f"{what} header and payload must be objects")
    if known is None:
        _check_header(header, what)
        if all(isinstance(v, str | int) for v in header.values()):  # a shallow copy suffices
            if len(_HEADERS) >= _HEADERS_KEPT:
                _HEADERS.clear()
            _HEADERS[head] = dict(header)
    try:
        signature = strict_b64url(tail)
    except InvalidInput as exc:
        raise SdJwtInvalid(SdJwtReason.MALFORMED, f"{what} signature: {exc.message}") from exc
    return header, payload, token[: len(head) + 1 + len(body)].encode("ascii"), signature


def _check_header(header: Mapping[str, Any], what: str) -> None:
    if header.get("alg") not in _ALLOWED_ALGS:
        raise SdJwtInvalid(
            SdJwtReason.ALG_NOT_ALLOWED,
            f"{what} alg {header.get('alg')!r} is not one of {sorted(_ALLOWED_ALGS)}",
        )
    # RFC 7515 §4.1.11: we understand no critical extension, so any "crit" is refused.
    if "crit" in header:
        raise SdJwtInvalid(SdJwtReason.MALFORMED, f"{what} has critical extensions")


def check_jws_signature(
    key: KeyLike, header: Mapping[str, Any], signing_input: bytes, signature: bytes
) -> None:
    """Verify with ``key``; SignatureInvalid if the key is unusable, of another alg, or fails.

    RFC 8725 §3.1: the key decides the algorithm; the header may only agree with it.
    """
    # Concrete classes first: Mapping and the runtime Protocol inside verifier_for are ABC
    # checks, which cost a tenth of a signature check.
    if isinstance(key, _OUR_VERIFIERS):
        verifier: Verifier = key
    elif isinstance(key, dict | Mapping) and _verify_jwk_directly(
        key, header, signing_input, signature
    ):
        return
    else:
        try:
            verifier = verifier_for(key)
        except InvalidInput as exc:
            raise SignatureInvalid(f"unusable key: {exc}") from exc
    if header.get("alg") != verifier.alg:  # a StrEnum equals its value
        raise SignatureInvalid(f"header alg {header.get('alg')} is not the key's {verifier.alg}")
    if type(verifier) is ES256Verifier:  # the same check, with the bytes-only DER encoding
        try:
            verifier.public_key.verify(_der_signature(signature), signing_input, _ECDSA_SHA256)
        except InvalidSignature as exc:
            raise SignatureInvalid(
                f"ES256 signature does not verify with key {verifier.kid}"
            ) from exc
        return
    verifier.verify(signing_input, signature)


def _verify_jwk_directly(
    jwk: Mapping[str, Any], header: Mapping[str, Any], signing_input: bytes, signature: bytes
) -> bool:
    """Check a signature by a holder's Ed25519 or P-256 JWK without building a Verifier.

    A holder key is new for every presentation; ``verifier_for`` also computes its RFC 7638
    thumbprint, which verification does not need. False means "not this fast kind of key":
    the caller then goes the general way (which also words every fault).
    """
    x, y = jwk.get("x"), jwk.get("y")
    alg = _FAST_KEYS.get((jwk.get("kty"), jwk.get("crv")))
    if alg is None or jwk.get("alg", alg) != alg or header.get("alg") != alg:
        return False
    if not isinstance(x, str) or (alg == "ES256" and not isinstance(y, str)):
        return False
    try:
        raw_x = strict_b64url(x)
        if alg == "EdDSA":  # RFC 8037 §2: x is the 32-byte public key
            if len(raw_x) != 32:
                return False
            Ed25519PublicKey.from_public_bytes(raw_x).verify(signature, signing_input)
        else:  # RFC 7518 §6.2.1.2 / §3.4: 32-byte coordinates, raw r || s signature
            raw_y = strict_b64url(str(y))
            if len(raw_x) != 32 or len(raw_y) != 32:
                return False
            # SEC 1 §2.3.3 uncompressed point: a third cheaper to load than from integers.
            point = ec.EllipticCurvePublicKey.from_encoded_point(_P256, b"\x04" + raw_x + raw_y)
            point.verify(_der_signature(signature), signing_input, _ECDSA_SHA256)
    except InvalidSignature as exc:
        raise SignatureInvalid(f"{alg} signature does not verify with the holder key") from exc
    except (InvalidInput, ValueError):
        return False  # malformed key: let verifier_for say what is wrong with it
    return True


def _der_signature(signature: bytes) -> bytes:
    """``r || s`` (RFC 7518 §3.4) as the X.690 DER ``SEQUENCE {INTEGER r, INTEGER s}``.

    ``encoding.raw_to_der`` goes through Python integers; this stays in bytes (a key binding
    is checked per presentation). Minimal positive INTEGERs: leading zero octets dropped, one
    added when the high bit is set (X.690 §8.3.2).
    """
    if len(signature) != 64:
        raise SignatureInvalid(f"signature must be 64 bytes, got {len(signature)}")
    body = b""
    for half in (signature[:32], signature[32:]):
        number = half.lstrip(b"\0") or b"\0"
        if number[0] & 0x80:
            number = b"\0" + number
        body += b"\x02" + bytes((len(number),)) + number
    return b"\x30" + bytes((len(body),)) + body
