"""What the wallet reads from a credential it holds, without verifying the issuer's seal.

The holder trusts where the credential came from; the verifier is the one who checks the seal
(``certfree certs verify``). The wallet only needs to show it and to know what it can disclose.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from certfree.certs import AGE_SEED, cert_types
from certfree.crypto import ParsedSdJwt, SdJwtInvalid, jwk_thumbprint, parse_sd_jwt
from certfree.errors import InvalidInput
from certfree.wallet.errors import CredentialMalformed

__all__ = ["CredentialInfo", "read_credential"]

# Where an issuer puts the certificate's own identifier (GB/T 36904): certfree's issuance
# seals it as the selectively disclosable ``certificate_id`` (the holder has every
# disclosure); other issuers may show it, or use RFC 7519 §4.1.7 ``jti``.
_IDENTIFIER_CLAIMS = ("certificate_id", "jti", "identifier")


def _text(value: object) -> str | None:
    return str(value) if value is not None else None


def _date(value: object) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    return None


@dataclass(frozen=True, slots=True)
class CredentialInfo:
    """A held SD-JWT VC as the holder sees it (``id`` is a digest of the compact form)."""

    id: str
    compact: str
    vct: str
    type_name: str | None  # GB/T 36903 ``certificate_name``, e.g. 居民身份证
    issuer: str | None
    issuer_name: str | None  # GB/T 36903 ``issuer_name``
    identifier: str | None
    issued_at: datetime | None
    valid_from: datetime | None
    expires_at: datetime | None
    holder_jwk: dict[str, Any]
    holder_kid: str
    disclosable: tuple[str, ...]
    always_shown: tuple[str, ...]

    def expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and (now or datetime.now(UTC)) >= self.expires_at

    def as_json(self) -> dict[str, Any]:
        def moment(value: datetime | None) -> str | None:
            return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None

        return {
            "id": self.id,
            "vct": self.vct,
            "type_name": self.type_name,
            "issuer": self.issuer,
            "issuer_name": self.issuer_name,
            "identifier": self.identifier,
            "issued_at": moment(self.issued_at),
            "valid_from": moment(self.valid_from),
            "expires_at": moment(self.expires_at),
            "expired": self.expired(),
            "holder_kid": self.holder_kid,
            "disclosable": list(self.disclosable),
            "always_shown": list(self.always_shown),
        }


def _type_name(vct: str) -> str | None:
    """The catalog's name for the type (GB/T 36902), which certfree does not repeat in the
    credential; None for a type from elsewhere."""
    kind = cert_types().get(vct)
    return kind.name if kind is not None else None


def _holder_jwk(payload: Mapping[str, Any]) -> dict[str, Any]:
    cnf = payload.get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, dict) else None
    if not isinstance(jwk, dict):
        raise CredentialMalformed(
            "证照没有绑定持证人密钥（缺少 cnf.jwk），不能用于亮证", field="credential"
        )
    return dict(jwk)


def _signed_digests(value: Any) -> set[str]:
    """Every digest the issuer signed: in ``_sd`` and ``{"...": d}`` (RFC 9901 §4.2.4)."""
    found: set[str] = set()
    if isinstance(value, dict):
        if set(value) == {"..."} and isinstance(value["..."], str):
            found.add(value["..."])
        digests = value.get("_sd")
        if isinstance(digests, list):
            found.update(d for d in digests if isinstance(d, str))
        for member in value.values():
            found |= _signed_digests(member)
    elif isinstance(value, list):
        for element in value:
            found |= _signed_digests(element)
    return found


def _covered(parsed: ParsedSdJwt) -> set[str]:
    """Digests signed by the issuer, directly or inside a covered disclosure (§4.2.6)."""
    signed = _signed_digests(parsed.payload)
    opened: set[str] = set()
    while True:
        inside = [d for d in parsed.disclosures if d.digest in signed and d.digest not in opened]
        if not inside:
            return signed
        for disclosure in inside:
            opened.add(disclosure.digest)
            signed |= _signed_digests(disclosure.value)


def read_credential(compact: str) -> CredentialInfo:
    """Parse a compact SD-JWT VC (RFC 9901 §4; a key binding on it is ignored).

    Raises CredentialMalformed naming the fault: not an SD-JWT, a disclosure the issuer's
    digests do not cover (altered or foreign), no ``vct``, no ``cnf.jwk``.
    """
    text = compact.strip()
    try:
        parsed: ParsedSdJwt = parse_sd_jwt(text)
    except SdJwtInvalid as exc:
        raise CredentialMalformed(f"不是 SD-JWT 证照：{exc}", field="credential") from exc
    if parsed.kb_jwt is not None:  # a presentation, not a credential: keep the issued part
        text = "~".join([parsed.jwt, *(d.encoded for d in parsed.disclosures), ""])
    payload = parsed.payload
    signed = _covered(parsed)
    stray = [d for d in parsed.disclosures if d.digest not in signed]
    if stray:
        raise CredentialMalformed(
            f"披露项 {stray[0].name or stray[0].encoded[:16]} 不在签发机构签章的摘要中"
            "（证照可能被篡改）",
            field="credential",
        )
    vct = payload.get("vct")
    if not isinstance(vct, str) or not vct:
        raise CredentialMalformed("证照缺少类型 vct（SD-JWT VC §3.2.2.1）", field="credential")
    jwk = _holder_jwk(payload)
    try:
        kid = jwk_thumbprint(jwk)
    except InvalidInput as exc:
        raise CredentialMalformed(f"cnf.jwk 不是有效的公钥：{exc}", field="credential") from exc
    known = {d.name: d.value for d in parsed.disclosures if d.name is not None} | payload
    identifier = next(
        (str(known[name]) for name in _IDENTIFIER_CLAIMS if known.get(name) is not None), None
    )
    # The age chain's seed is never presented (wallet.derivation): not offered as disclosable.
    names = [d.name for d in parsed.disclosures if d.name is not None and d.name != AGE_SEED]
    hidden = {"_sd", "_sd_alg", "cnf", "iss", "vct", "status", "iat", "nbf", "exp", "jti"}
    issuer = payload.get("iss")
    return CredentialInfo(
        id=hashlib.sha256(text.encode("ascii")).hexdigest()[:16],
        compact=text,
        vct=vct,
        type_name=_text(payload.get("certificate_name")) or _type_name(vct),
        issuer=_text(issuer),
        issuer_name=_text(payload.get("issuer_name")),
        identifier=identifier,
        issued_at=_date(payload.get("iat")),
        valid_from=_date(payload.get("nbf", payload.get("iat"))),  # no nbf: valid once issued
        expires_at=_date(payload.get("exp")),
        holder_jwk=jwk,
        holder_kid=kid,
        disclosable=tuple(dict.fromkeys(names)),
        always_shown=tuple(sorted(set(payload) - hidden)),
    )
