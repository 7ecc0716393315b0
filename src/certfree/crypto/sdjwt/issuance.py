"""Make and split SD-JWTs (RFC 9901 §4): issuance by the issuer, presentation by the holder."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from certfree.crypto.algorithms import Signer
from certfree.crypto.encoding import b64url_encode
from certfree.crypto.jws import sign_jws
from certfree.crypto.sdjwt.errors import SdJwtInvalid, SdJwtReason
from certfree.crypto.sdjwt.jws import b64_json, disclosure_digest, open_jws
from certfree.errors import InvalidInput

__all__ = [
    "DEFAULT_TYP",
    "KB_TYP",
    "MAX_SD_JWT_LENGTH",
    "SD_ALG",
    "Disclosure",
    "ParsedSdJwt",
    "issue_sd_jwt",
    "parse_sd_jwt",
    "present_sd_jwt",
]

SD_ALG = "sha-256"  # RFC 9901 §4.1.1: the IANA hash name; the only one we accept
DEFAULT_TYP = "dc+sd-jwt"  # SD-JWT VC (draft-ietf-oauth-sd-jwt-vc §3.2.1)
KB_TYP = "kb+jwt"  # RFC 9901 §4.3
# A presentation travels in a QR code; anything far larger is not one of ours and is refused
# before any parsing work (QR version 40 holds 2,953 bytes binary; this leaves room for files).
MAX_SD_JWT_LENGTH = 64 * 1024
_RESERVED_NAMES = frozenset({"_sd", "...", "_sd_alg", "cnf", "iss", "status", "vct"})


@dataclass(frozen=True, slots=True)
class Disclosure:
    """One disclosure (RFC 9901 §4.2.1 object property, §4.2.2 array element: name None)."""

    salt: str
    name: str | None
    value: Any
    encoded: str
    digest: str


@dataclass(frozen=True, slots=True)
class ParsedSdJwt:
    """An SD-JWT split into its parts, nothing verified yet."""

    jwt: str
    header: dict[str, Any]
    payload: dict[str, Any]
    disclosures: tuple[Disclosure, ...]
    kb_jwt: str | None
    # ``<jwt>~<d1>~...~`` exactly as received: the input of ``sd_hash`` (RFC 9901 §4.3.1).
    presentation_without_kb: str = field(repr=False)
    # The issuer JWS's signing input and signature, so the verifier need not split it again.
    signing_input: bytes = field(repr=False)
    signature: bytes = field(repr=False)


def _decode_disclosure(encoded: str) -> Disclosure:
    # RFC 9901 §4.2.1/§4.2.2: [salt, name, value] or [salt, value], salt a string.
    value = b64_json(encoded, "disclosure", SdJwtReason.MALFORMED_DISCLOSURE)
    if not isinstance(value, list) or len(value) not in (2, 3) or not isinstance(value[0], str):
        raise SdJwtInvalid(SdJwtReason.MALFORMED_DISCLOSURE, f"disclosure {encoded[:24]}…")
    name = value[1] if len(value) == 3 else None
    if len(value) == 3 and (not isinstance(name, str) or name in ("_sd", "...")):
        raise SdJwtInvalid(SdJwtReason.MALFORMED_DISCLOSURE, f"claim name {name!r} not allowed")
    return Disclosure(value[0], name, value[-1], encoded, disclosure_digest(encoded))


def parse_sd_jwt(compact: str) -> ParsedSdJwt:
    """Split ``<jwt>~<disclosure>~...~[<kb-jwt>]`` (RFC 9901 §4) without verifying anything.

    Raises SdJwtInvalid (MALFORMED, OVERSIZED, MALFORMED_DISCLOSURE, ALG_NOT_ALLOWED).
    """
    compact = compact.strip()
    if len(compact) > MAX_SD_JWT_LENGTH:
        raise SdJwtInvalid(
            SdJwtReason.OVERSIZED, f"{len(compact)} characters, limit {MAX_SD_JWT_LENGTH}"
        )
    if not compact.isascii():
        raise SdJwtInvalid(SdJwtReason.MALFORMED, "an SD-JWT is ASCII only")
    parts = compact.split("~")
    if len(parts) < 2:
        raise SdJwtInvalid(SdJwtReason.MALFORMED, "no '~' separator: not an SD-JWT (truncated?)")
    header, payload, signing_input, signature = open_jws(parts[0], "issuer JWT")
    disclosures = tuple(_decode_disclosure(p) for p in parts[1:-1])
    if any(not p for p in parts[1:-1]):
        raise SdJwtInvalid(SdJwtReason.MALFORMED, "empty disclosure between '~'")
    return ParsedSdJwt(
        jwt=parts[0],
        header=header,
        payload=payload,
        disclosures=disclosures,
        kb_jwt=parts[-1] or None,
        presentation_without_kb=compact[: compact.rfind("~") + 1],
        signing_input=signing_input,
        signature=signature,
    )


def _random_salt() -> str:
    return b64url_encode(os.urandom(16))  # RFC 9901 §9.3: at least 128 bits of entropy


def issue_sd_jwt(
    signer: Signer,
    claims: Mapping[str, Any],
    *,
    selectively_disclosable: Iterable[str],
    header: Mapping[str, Any] | None = None,
    holder_jwk: Mapping[str, Any] | None = None,
    decoys: int = 0,
    salt: Callable[[], str] | None = None,
) -> str:
    """Issue ``<jwt>~<d1>~...~`` sealed by ``signer``.

    Each top-level claim named in ``selectively_disclosable`` is replaced by the digest of
    its disclosure in ``_sd`` (RFC 9901 §4.2.4.1), plus ``decoys`` random digests (§4.2.5);
    ``_sd`` is sorted so it reveals neither order nor which are decoys. ``holder_jwk`` goes
    in ``cnf.jwk`` (RFC 7800 §3.2); the header's ``typ`` defaults to ``dc+sd-jwt``. Raises
    InvalidInput for a name that is not a claim or may not be hidden (iss, cnf, status …).
    """
    make_salt = salt or _random_salt
    payload = dict(claims)
    digests: list[str] = []
    encoded: list[str] = []
    for name in dict.fromkeys(selectively_disclosable):
        if name in _RESERVED_NAMES:
            raise InvalidInput(f"claim {name!r} may not be selectively disclosable", field=name)
        if name not in payload:
            raise InvalidInput(f"claim {name!r} to disclose selectively is not in the claims")
        item = [make_salt(), name, payload.pop(name)]
        text = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
        encoded.append(b64url_encode(text.encode("utf-8")))
        digests.append(disclosure_digest(encoded[-1]))
    digests.extend(disclosure_digest(b64url_encode(os.urandom(16))) for _ in range(decoys))
    if digests:
        if "_sd" in payload:
            raise InvalidInput("claims may not contain '_sd' themselves", field="_sd")
        payload["_sd"] = sorted(digests)
        payload["_sd_alg"] = SD_ALG
    if holder_jwk is not None:
        if "cnf" in payload:
            raise InvalidInput("claims already carry cnf; pass holder_jwk or cnf, not both")
        payload["cnf"] = {"jwk": dict(holder_jwk)}
    protected = {"typ": DEFAULT_TYP, **(header or {})}
    return "~".join([sign_jws(signer, payload, header=protected), *encoded, ""])


def present_sd_jwt(
    sd_jwt: str,
    disclose: Iterable[str],
    holder_signer: Signer,
    *,
    audience: str,
    nonce: str,
    iat: int | None = None,
) -> str:
    """A presentation keeping only the disclosures of the names in ``disclose``, plus a KB-JWT.

    The KB-JWT (RFC 9901 §4.3) has ``typ: kb+jwt`` and ``aud``, ``nonce``, ``iat`` and
    ``sd_hash`` = base64url SHA-256 of ``<jwt>~<kept disclosures>~``. A key binding already
    on ``sd_jwt`` is dropped. InvalidInput names a requested claim that has no disclosure.
    """
    parsed = parse_sd_jwt(sd_jwt)
    wanted = set(disclose)
    available = {d.name for d in parsed.disclosures if d.name is not None}
    missing = wanted - available
    if missing:
        raise InvalidInput(
            f"cannot disclose {sorted(missing)}; the credential discloses {sorted(available)}",
            field="disclose",
        )
    kept = [d.encoded for d in parsed.disclosures if d.name in wanted]
    prefix = "~".join([parsed.jwt, *kept, ""])
    kb_payload = {
        "aud": audience,
        "nonce": nonce,
        "iat": int(time.time()) if iat is None else iat,
        "sd_hash": disclosure_digest(prefix),
    }
    return prefix + sign_jws(holder_signer, kb_payload, header={"typ": KB_TYP})
