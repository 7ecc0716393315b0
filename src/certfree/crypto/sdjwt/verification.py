"""Verify an SD-JWT and its key binding (RFC 9901 §7.1, §7.3)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from certfree.crypto.encoding import is_numeric_date
from certfree.crypto.keys import KeyLike
from certfree.crypto.sdjwt.errors import SdJwtInvalid, SdJwtReason
from certfree.crypto.sdjwt.issuance import KB_TYP, SD_ALG, Disclosure, ParsedSdJwt, parse_sd_jwt
from certfree.crypto.sdjwt.jws import check_jws_signature, disclosure_digest, open_jws
from certfree.errors import KeyNotFound, SignatureInvalid

__all__ = ["VerifiedSdJwt", "verify_sd_jwt"]


class VerifiedSdJwt(NamedTuple):
    """What a verified SD-JWT says: the claims with the disclosed ones merged in."""

    header: dict[str, Any]
    claims: dict[str, Any]
    disclosed: tuple[str, ...]
    holder_jwk: dict[str, Any] | None
    key_binding: dict[str, Any] | None


_SD_MEMBERS = frozenset({"_sd", "_sd_alg"})
_CONTAINERS = (dict, list)


class _Unpacker:
    """RFC 9901 §7.1 step 3: replace digests by disclosed values, recursively."""

    def __init__(self, disclosures: Iterable[Disclosure]) -> None:
        self.by_digest: dict[str, Disclosure] = {}
        for disclosure in disclosures:
            if disclosure.digest in self.by_digest:
                raise SdJwtInvalid(
                    SdJwtReason.DUPLICATE_DISCLOSURE, f"disclosure of {disclosure.name!r} twice"
                )
            self.by_digest[disclosure.digest] = disclosure
        self.seen: set[str] = set()
        self.used: list[Disclosure] = []

    def _take(self, digest: object) -> Disclosure | None:
        if not isinstance(digest, str):
            raise SdJwtInvalid(SdJwtReason.MALFORMED, "a digest must be a string")
        if digest in self.seen:  # §7.1 step 3.2.2 / 3.3.2: a digest appears once at most
            raise SdJwtInvalid(SdJwtReason.DUPLICATE_DIGEST, f"digest {digest} appears twice")
        self.seen.add(digest)
        found = self.by_digest.get(digest)
        if found is not None:
            self.used.append(found)
        return found

    def unpack(self, value: Any) -> Any:
        if isinstance(value, list):
            return self._array(value)
        if isinstance(value, dict):
            return self._object(value)
        return value

    def _array(self, value: list[Any]) -> list[Any]:
        out: list[Any] = []
        for element in value:
            if isinstance(element, dict) and set(element) == {"..."}:
                found = self._take(element["..."])
                if found is not None:
                    if found.name is not None:  # §7.1 step 3.3.3: must be an array disclosure
                        raise SdJwtInvalid(
                            SdJwtReason.MALFORMED_DISCLOSURE,
                            f"object disclosure {found.name!r} used as array element",
                        )
                    out.append(self.unpack(found.value))
            else:
                out.append(self.unpack(element))
        return out

    def _object(self, value: dict[str, Any]) -> dict[str, Any]:
        if "_sd" not in value and "_sd_alg" not in value:
            for member in value.values():
                if isinstance(member, _CONTAINERS):
                    break
            else:  # nothing to unpack (cnf.jwk, status_list): the freshly parsed dict as is
                return value
        # Only containers can hold digests; scalars are copied without a call.
        result = {
            k: self.unpack(v) if isinstance(v, _CONTAINERS) else v
            for k, v in value.items()
            if k not in _SD_MEMBERS
        }
        digests = value.get("_sd")
        if digests is None:
            return result
        if not isinstance(digests, list):
            raise SdJwtInvalid(SdJwtReason.MALFORMED, "_sd must be an array")
        # _take inlined: this loop runs for every signed digest, decoys included.
        seen, by_digest = self.seen, self.by_digest
        for digest in digests:
            if not isinstance(digest, str):
                raise SdJwtInvalid(SdJwtReason.MALFORMED, "a digest must be a string")
            if digest in seen:  # §7.1 step 3.2.2: a digest appears once at most
                raise SdJwtInvalid(SdJwtReason.DUPLICATE_DIGEST, f"digest {digest} appears twice")
            seen.add(digest)
            found = by_digest.get(digest)
            if found is None:
                continue  # a decoy, or a claim the holder chose not to disclose
            self.used.append(found)
            if found.name is None:
                raise SdJwtInvalid(
                    SdJwtReason.MALFORMED_DISCLOSURE, "array disclosure used as object property"
                )
            if found.name in result:  # §7.1 step 3.2.3.2
                raise SdJwtInvalid(SdJwtReason.CLAIM_CONFLICT, f"claim {found.name!r} twice")
            inner = found.value
            result[found.name] = self.unpack(inner) if isinstance(inner, _CONTAINERS) else inner
        return result


def _check_dates(claims: Mapping[str, Any], what: str) -> None:
    """Refuse an ``exp``, ``nbf`` or ``iat`` present but not an integer NumericDate (null,
    a string, a fraction, NaN …); see ``is_numeric_date`` for why integers only."""
    for name in ("exp", "nbf", "iat"):
        if name in claims and not is_numeric_date(claims[name]):
            raise SdJwtInvalid(
                SdJwtReason.MALFORMED,
                f"{what} {name} must be an integer NumericDate, got {claims[name]!r:.40}",
            )


def _check_times(claims: Mapping[str, Any], now: int) -> None:
    # RFC 7519 §4.1.4/§4.1.5 (via RFC 9901 §7.1 step 5): exp is exclusive, nbf inclusive.
    _check_dates(claims, "credential")
    exp, nbf = claims.get("exp"), claims.get("nbf")
    if exp is not None and now >= exp:
        raise SdJwtInvalid(SdJwtReason.EXPIRED, f"expired at {exp}, now {now}")
    if nbf is not None and now < nbf:
        raise SdJwtInvalid(SdJwtReason.NOT_YET_VALID, f"valid from {nbf}, now {now}")


def _check_key_binding(
    parsed: ParsedSdJwt,
    holder_jwk: Mapping[str, Any],
    *,
    audience: str | None,
    nonce: str | None,
    now: int,
    max_kb_age: int,
) -> dict[str, Any]:
    assert parsed.kb_jwt is not None
    header, payload, signing_input, signature = open_jws(parsed.kb_jwt, "key-binding JWT")
    if header.get("typ") != KB_TYP:  # RFC 9901 §7.3 step 5.1
        raise SdJwtInvalid(SdJwtReason.KB_WRONG_TYPE, f"typ {header.get('typ')!r}, not kb+jwt")
    try:
        check_jws_signature(holder_jwk, header, signing_input, signature)
    except SignatureInvalid as exc:
        raise SdJwtInvalid(SdJwtReason.KB_BAD_SIGNATURE, exc.message) from exc
    sd_hash = disclosure_digest(parsed.presentation_without_kb)  # RFC 9901 §4.3.1
    if payload.get("sd_hash") != sd_hash:
        raise SdJwtInvalid(
            SdJwtReason.KB_SD_HASH_MISMATCH, "sd_hash does not cover the disclosures sent"
        )
    if audience is not None and payload.get("aud") != audience:
        raise SdJwtInvalid(
            SdJwtReason.KB_WRONG_AUDIENCE, f"for {payload.get('aud')!r}, not {audience!r}"
        )
    if nonce is not None and payload.get("nonce") != nonce:
        raise SdJwtInvalid(SdJwtReason.KB_WRONG_NONCE, "nonce is not the one the verifier gave")
    if "iat" not in payload:
        raise SdJwtInvalid(SdJwtReason.MALFORMED, "key-binding JWT has no iat")
    _check_dates(payload, "key-binding JWT")  # integers: a NaN would pass any window below
    iat, exp, nbf = payload["iat"], payload.get("exp"), payload.get("nbf")
    # RFC 9901 §7.3 step 5.3: iat within an acceptable window; 60 s allowed for clock skew.
    if iat < now - max_kb_age or iat > now + 60:
        raise SdJwtInvalid(SdJwtReason.KB_STALE, f"made at {iat}, now {now}, window {max_kb_age} s")
    # Not required in a key binding, but when the holder sets them they hold (RFC 7519 §4.1.4).
    if (exp is not None and now >= exp) or (nbf is not None and nbf > now + 60):
        raise SdJwtInvalid(SdJwtReason.KB_STALE, f"key binding valid {nbf}..{exp}, now {now}")
    return payload


def verify_sd_jwt(
    compact: str,
    resolve_issuer_key: Callable[[dict[str, Any], dict[str, Any]], KeyLike],
    *,
    audience: str | None,
    nonce: str | None,
    require_key_binding: bool = True,
    now: int | None = None,
    max_kb_age: int = 300,
    typ: str | None = None,
) -> VerifiedSdJwt:
    """Verify an SD-JWT (+KB) per RFC 9901 §7.1 and §7.3 and return its disclosed claims.

    ``resolve_issuer_key(header, payload)`` returns the issuer's key and raises KeyNotFound
    (or SdJwtInvalid) for an issuer it does not trust. ``audience``/``nonce`` are checked
    when given, and so is the issuer JWT's ``typ`` (explicit typing, RFC 8725 §3.11: an
    SD-JWT of another kind, or a plain JWT, is refused before any other work). Raises
    SdJwtInvalid whose ``reason`` names the first check that failed.
    """
    moment = int(time.time()) if now is None else now
    parsed = parse_sd_jwt(compact)
    header, payload = parsed.header, parsed.payload
    if typ is not None and header.get("typ") != typ:
        raise SdJwtInvalid(
            SdJwtReason.WRONG_TYPE, f"issuer JWT typ {header.get('typ')!r:.40}, not {typ!r}"
        )
    try:
        key = resolve_issuer_key(header, payload)
    except KeyNotFound as exc:
        raise SdJwtInvalid(SdJwtReason.UNKNOWN_ISSUER, exc.message) from exc
    try:
        check_jws_signature(key, header, parsed.signing_input, parsed.signature)
    except SignatureInvalid as exc:
        if isinstance(exc, SdJwtInvalid):
            raise
        raise SdJwtInvalid(SdJwtReason.BAD_ISSUER_SIGNATURE, exc.message) from exc
    if payload.get("_sd_alg", SD_ALG) != SD_ALG:  # RFC 9901 §4.1.1
        raise SdJwtInvalid(SdJwtReason.UNSUPPORTED_SD_ALG, f"_sd_alg {payload['_sd_alg']!r}")
    unpacker = _Unpacker(parsed.disclosures)
    claims = unpacker.unpack(payload)
    # RFC 9901 §7.1 step 3.5: every disclosure sent must be referenced by a signed digest.
    stray = [d for d in parsed.disclosures if d.digest not in unpacker.seen]
    if stray:
        raise SdJwtInvalid(
            SdJwtReason.DISCLOSURE_NOT_REFERENCED,
            f"disclosure of {stray[0].name!r} is not covered by the issuer's signature",
        )
    _check_times(claims, moment)
    cnf = payload.get("cnf")
    holder_jwk = cnf.get("jwk") if isinstance(cnf, dict) else None
    if holder_jwk is not None and not isinstance(holder_jwk, dict):
        raise SdJwtInvalid(SdJwtReason.MALFORMED, "cnf.jwk must be an object")
    key_binding = None
    if parsed.kb_jwt is None:
        if require_key_binding:
            raise SdJwtInvalid(SdJwtReason.KB_MISSING, "no key-binding JWT after the last '~'")
    elif holder_jwk is None:
        raise SdJwtInvalid(SdJwtReason.HOLDER_KEY_MISSING, "no cnf.jwk to check the binding")
    else:
        key_binding = _check_key_binding(
            parsed, holder_jwk, audience=audience, nonce=nonce, now=moment, max_kb_age=max_kb_age
        )
    disclosed = tuple(d.name for d in unpacker.used if d.name is not None)
    return VerifiedSdJwt(header, claims, disclosed, holder_jwk, key_binding)
