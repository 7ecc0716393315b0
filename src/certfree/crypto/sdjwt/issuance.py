"""Make and split SD-JWTs (RFC 9901 §4): issuance by the issuer, presentation by the holder."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from certfree.crypto.algorithms import Signer
from certfree.crypto.encoding import b64url_encode, canonical_json
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
_SD_MEMBERS = frozenset({"_sd", "...", "_sd_alg"})
_RESERVED_NAMES = _SD_MEMBERS | {"cnf", "iss", "status", "vct"}
# RFC 7638 §3.2 (RFC 8037 §2 for OKP): the members that make a public key.
_KEY_MEMBERS = {
    "EC": ("kty", "crv", "x", "y"),
    "OKP": ("kty", "crv", "x"),
    "RSA": ("kty", "n", "e"),
}


# NamedTuples, not frozen dataclasses: as immutable, and built four times faster (a frozen
# dataclass sets each field through object.__setattr__); a verifier builds one per disclosure.
class Disclosure(NamedTuple):
    """One disclosure (RFC 9901 §4.2.1 object property, §4.2.2 array element: name None)."""

    salt: str
    name: str | None
    value: Any
    encoded: str
    digest: str


class ParsedSdJwt(NamedTuple):
    """An SD-JWT split into its parts, nothing verified yet."""

    jwt: str
    header: dict[str, Any]
    payload: dict[str, Any]
    disclosures: tuple[Disclosure, ...]
    kb_jwt: str | None
    # ``<jwt>~<d1>~...~`` exactly as received: the input of ``sd_hash`` (RFC 9901 §4.3.1).
    presentation_without_kb: str
    # The issuer JWS's signing input and signature, so the verifier need not split it again.
    signing_input: bytes
    signature: bytes


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
    disclosures = tuple([_decode_disclosure(p) for p in parts[1:-1]])
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


ClaimPath = str | tuple[str, ...]


@dataclass(slots=True)
class _Node:
    """One name in the tree of claims to hide: ``hide`` itself, and members inside it."""

    hide: bool = False
    members: dict[str, _Node] = field(default_factory=dict)


def _tree(paths: Iterable[ClaimPath]) -> dict[str, _Node]:
    root: dict[str, _Node] = {}
    for path in paths:
        names = (path,) if isinstance(path, str) else tuple(path)
        if not names:
            raise InvalidInput("an empty claim path cannot be selectively disclosable")
        level, node = root, None
        for name in names:
            node = level.setdefault(name, _Node())
            level = node.members
        assert node is not None
        node.hide = True
    return root


def _conceal(
    claims: Mapping[str, Any],
    tree: dict[str, _Node],
    make_salt: Callable[[], str],
    encoded: list[str],
    *,
    top: bool,
    decoys: int = 0,
) -> dict[str, Any]:
    """``claims`` with the names in ``tree`` replaced by digests (RFC 9901 §4.2.4.1, §4.2.6).

    Members are hidden before the object holding them, so a nested object's disclosure
    carries its own ``_sd``; the disclosures are appended to ``encoded``.
    """
    reserved = _RESERVED_NAMES if top else _SD_MEMBERS
    result = dict(claims)
    digests: list[str] = []
    for name, node in tree.items():
        if name in reserved:
            raise InvalidInput(f"claim {name!r} may not be selectively disclosable", field=name)
        if name not in result:
            raise InvalidInput(f"claim {name!r} to disclose selectively is not in the claims")
        value = result[name]
        if node.members:
            if not isinstance(value, Mapping):
                raise InvalidInput(f"claim {name!r} has members to hide but is not an object")
            value = _conceal(value, node.members, make_salt, encoded, top=False)
        if not node.hide:
            result[name] = value
            continue
        del result[name]
        item = [make_salt(), name, value]
        encoded.append(b64url_encode(canonical_json(item)))
        digests.append(disclosure_digest(encoded[-1]))
    digests.extend(disclosure_digest(b64url_encode(os.urandom(16))) for _ in range(decoys))
    if digests:
        if "_sd" in result:
            raise InvalidInput("claims may not contain '_sd' themselves", field="_sd")
        result["_sd"] = sorted(digests)
    return result


def _holder_cnf(holder_jwk: Mapping[str, Any]) -> dict[str, Any]:
    # RFC 7800 §3.2 needs only the key; kid/alg/use would add ~100 characters to every QR
    # code. The RFC 7638 members are kept, so the thumbprint (the wallet's kid) is unchanged.
    members = _KEY_MEMBERS.get(str(holder_jwk.get("kty")))
    if members is None or not all(m in holder_jwk for m in members):
        return dict(holder_jwk)  # not a key we know: keep it whole, the verifier will judge
    return {m: holder_jwk[m] for m in members}


def issue_sd_jwt(
    signer: Signer,
    claims: Mapping[str, Any],
    *,
    selectively_disclosable: Iterable[ClaimPath],
    header: Mapping[str, Any] | None = None,
    holder_jwk: Mapping[str, Any] | None = None,
    decoys: int = 0,
    salt: Callable[[], str] | None = None,
) -> str:
    """Issue ``<jwt>~<d1>~...~`` sealed by ``signer``.

    Each claim named in ``selectively_disclosable`` is replaced by the digest of its
    disclosure in ``_sd`` (RFC 9901 §4.2.4.1); a tuple names a member of an object claim,
    ``("face", "name")``, hidden inside that object (recursive disclosures, §4.2.6), and the
    object itself may be named too. ``decoys`` random digests join the top-level ``_sd``
    (§4.2.5); every ``_sd`` is sorted so it reveals neither order nor which are decoys.
    ``_sd_alg`` is omitted: ``sha-256`` is its default (§4.1.1). ``holder_jwk`` goes in
    ``cnf.jwk`` (RFC 7800 §3.2) with its RFC 7638 members only; the header's ``typ``
    defaults to ``dc+sd-jwt``. Raises InvalidInput for a name that is not a claim or may
    not be hidden (iss, cnf, status …).
    """
    encoded: list[str] = []
    tree = _tree(selectively_disclosable)
    payload = _conceal(claims, tree, salt or _random_salt, encoded, top=True, decoys=decoys)
    if holder_jwk is not None:
        if "cnf" in payload:
            raise InvalidInput("claims already carry cnf; pass holder_jwk or cnf, not both")
        payload["cnf"] = {"jwk": _holder_cnf(holder_jwk)}
    protected = {"typ": DEFAULT_TYP, **(header or {})}
    return "~".join([sign_jws(signer, payload, header=protected), *encoded, ""])


def _parents(parsed: ParsedSdJwt) -> dict[str, Disclosure]:
    """Digest → the disclosure whose value holds it (recursive disclosures, RFC 9901 §4.2.6)."""
    parents: dict[str, Disclosure] = {}
    for disclosure in parsed.disclosures:
        for digest in _digests_in(disclosure.value):
            parents[digest] = disclosure
    return parents


def _digests_in(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if set(value) == {"..."} and isinstance(value["..."], str):
            yield value["..."]
        digests = value.get("_sd")
        if isinstance(digests, list):
            yield from (d for d in digests if isinstance(d, str))
        for member in value.values():
            yield from _digests_in(member)
    elif isinstance(value, list):
        for element in value:
            yield from _digests_in(element)


def _kept(parsed: ParsedSdJwt, wanted: set[str]) -> list[str]:
    """The disclosures to send for ``wanted``: each named one, the disclosures nested in it
    (naming an object shows it whole) and those of the objects holding it (§4.2.6)."""
    parents = _parents(parsed)
    keep = {d.digest for d in parsed.disclosures if d.name in wanted}
    grown = True
    while grown:  # the members of a named object, to any depth
        before = len(keep)
        keep |= {d for d, parent in parents.items() if parent.digest in keep}
        grown = len(keep) > before
    for digest in list(keep):  # and the objects holding each one, up to the top
        above = parents.get(digest)
        while above is not None and above.digest not in keep:
            keep.add(above.digest)
            above = parents.get(above.digest)
    return [d.encoded for d in parsed.disclosures if d.digest in keep]


def _sign_kb(holder_signer: Signer, payload: Mapping[str, Any]) -> str:
    # RFC 9901 §4.3: typ and alg only; the verifier takes the key from cnf.jwk, so a kid
    # would be 60 more characters in the QR code for nothing.
    header = {"alg": holder_signer.alg.value, "typ": KB_TYP}
    signing_input = (
        b64url_encode(canonical_json(header)) + "." + b64url_encode(canonical_json(payload))
    )
    return signing_input + "." + b64url_encode(holder_signer.sign(signing_input.encode("ascii")))


def present_sd_jwt(
    sd_jwt: str,
    disclose: Iterable[str],
    holder_signer: Signer,
    *,
    audience: str,
    nonce: str,
    iat: int | None = None,
    kb_claims: Mapping[str, Any] | None = None,
) -> str:
    """A presentation keeping only the disclosures of the names in ``disclose``, plus a KB-JWT.

    A nested claim brings the disclosures of the objects holding it; naming an object brings
    all of its members. The KB-JWT (RFC 9901 §4.3) has ``typ: kb+jwt`` and ``aud``,
    ``nonce``, ``iat`` and ``sd_hash`` = base64url SHA-256 of ``<jwt>~<kept disclosures>~``.
    A key binding already on ``sd_jwt`` is dropped. ``kb_claims`` are further claims of the
    KB-JWT, signed by the holder (RFC 9901 §4.3 allows them; a derived claim's proof travels
    there), never replacing the four above. InvalidInput names a requested claim that has
    no disclosure.
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
    prefix = "~".join([parsed.jwt, *_kept(parsed, wanted), ""])
    kb_payload = {
        **(kb_claims or {}),
        "aud": audience,
        "nonce": nonce,
        "iat": int(time.time()) if iat is None else iat,
        "sd_hash": disclosure_digest(prefix),
    }
    return prefix + _sign_kb(holder_signer, kb_payload)
