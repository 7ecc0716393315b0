"""Verify a presented e-certificate (亮证核验): seal, validity, status, key binding, disclosures.

Online the status list comes from its URI over HTTP; offline (police roadside, a scenic-spot
gate) from a directory of saved Status List Tokens, with the trust list read from a file.
Either way a verified list is kept for its token's ``ttl`` (Token Status List §12.2), so a
revoked certificate fails within one refresh and a busy gate does not refetch per person.
"""

from __future__ import annotations

import enum
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
from sqlalchemy.orm import Session

from certfree.certs.claims import flatten_face, shown_names, validity_dates
from certfree.certs.statuslists import signed_status_list
from certfree.certs.trust import TrustList
from certfree.certs.types import cert_types
from certfree.crypto import (
    KeyLike,
    KeyStore,
    SdJwtInvalid,
    SdJwtReason,
    StatusList,
    StatusListInvalid,
    StatusValue,
    b64url_decode,
    parse_sd_jwt,
    verify_sd_jwt,
    verify_status_list_token,
)
from certfree.errors import CertfreeError, InvalidInput, NotFound

__all__ = [
    "Check",
    "FailedCheck",
    "StatusListSource",
    "StatusLists",
    "VerificationResult",
    "verify_presentation",
]

STATUS_LIST_MEDIA_TYPE = "application/statuslist+jwt"  # Token Status List §14.6
_LOCAL_LIST = re.compile(r"/api/v1/status-lists/(?P<uscc>[0-9A-Z]{18})/(?P<no>[0-9]{1,9})$")
DEFAULT_TTL = 300  # when a token names no ttl: refetch after five minutes


class Check(enum.StrEnum):
    """The checks a presentation goes through; each failure names one."""

    FORMAT = "format"
    SEAL = "seal"  # issuer's signature against the trust list
    DISCLOSURES = "disclosures"  # every disclosure covered by a signed digest
    VALIDITY = "validity"  # iat / nbf / exp
    STATUS = "status"  # Token Status List entry
    KEY_BINDING = "key_binding"
    AUDIENCE = "audience"
    NONCE = "nonce"


_CHECK_OF_REASON: dict[SdJwtReason, Check] = {
    SdJwtReason.ALG_NOT_ALLOWED: Check.SEAL,
    SdJwtReason.UNKNOWN_ISSUER: Check.SEAL,
    SdJwtReason.BAD_ISSUER_SIGNATURE: Check.SEAL,
    SdJwtReason.UNSUPPORTED_SD_ALG: Check.DISCLOSURES,
    SdJwtReason.MALFORMED_DISCLOSURE: Check.DISCLOSURES,
    SdJwtReason.DISCLOSURE_NOT_REFERENCED: Check.DISCLOSURES,
    SdJwtReason.DUPLICATE_DISCLOSURE: Check.DISCLOSURES,
    SdJwtReason.DUPLICATE_DIGEST: Check.DISCLOSURES,
    SdJwtReason.CLAIM_CONFLICT: Check.DISCLOSURES,
    SdJwtReason.EXPIRED: Check.VALIDITY,
    SdJwtReason.NOT_YET_VALID: Check.VALIDITY,
    SdJwtReason.KB_WRONG_AUDIENCE: Check.AUDIENCE,
    SdJwtReason.KB_WRONG_NONCE: Check.NONCE,
}
# Failures found after the issuer's seal verified: the credential's own claims (its status
# reference) can still be trusted, so the status is checked too and reported alongside.
_SEAL_VERIFIED = frozenset(
    {
        SdJwtReason.EXPIRED,
        SdJwtReason.NOT_YET_VALID,
        SdJwtReason.KB_MISSING,
        SdJwtReason.HOLDER_KEY_MISSING,
        SdJwtReason.KB_WRONG_TYPE,
        SdJwtReason.KB_BAD_SIGNATURE,
        SdJwtReason.KB_WRONG_AUDIENCE,
        SdJwtReason.KB_WRONG_NONCE,
        SdJwtReason.KB_STALE,
        SdJwtReason.KB_SD_HASH_MISMATCH,
    }
)
_STATUS_REASONS = {
    StatusValue.INVALID: ("revoked", "证照已注销/吊销", "the certificate is revoked"),
    StatusValue.SUSPENDED: ("suspended", "证照已暂停使用", "the certificate is suspended"),
}


@dataclass(frozen=True, slots=True)
class FailedCheck:
    check: Check
    reason: str
    message: str
    message_zh: str

    def to_json(self) -> dict[str, str]:
        return {
            "check": self.check.value,
            "reason": self.reason,
            "message": self.message,
            "message_zh": self.message_zh,
        }


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """The verifier's answer. ``claims`` (the disclosed data) is empty unless ``valid``."""

    valid: bool
    claims: dict[str, Any] = field(default_factory=dict)
    disclosed: tuple[str, ...] = ()
    failed: tuple[FailedCheck, ...] = ()
    issuer: str | None = None
    vct: str | None = None
    holder_jwk: dict[str, Any] | None = None
    status: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "issuer": self.issuer,
            "vct": self.vct,
            "disclosed": list(self.disclosed),
            "claims": self.claims,
            "holder_jwk": self.holder_jwk,
            "status": self.status,
            "failed_checks": [f.to_json() for f in self.failed],
        }


@dataclass(frozen=True, slots=True)
class _Cached:
    until: int
    header: dict[str, Any]
    payload: dict[str, Any]
    status_list: StatusList


class StatusListSource(Protocol):
    """Where verified status lists come from (online, offline, the node's own database)."""

    def status_list(
        self, uri: str, resolve_key: Callable[[dict[str, Any], dict[str, Any]], KeyLike], now: int
    ) -> StatusList:
        """The verified list at ``uri``; StatusListInvalid or NotFound when it cannot be had."""
        ...


class StatusLists:
    """A StatusListSource over a ``fetch(uri) -> token`` function, caching per token ttl."""

    def __init__(self, fetch: Callable[[str], str]) -> None:
        self._fetch = fetch
        self._cache: dict[str, _Cached] = {}

    def status_list(
        self, uri: str, resolve_key: Callable[[dict[str, Any], dict[str, Any]], KeyLike], now: int
    ) -> StatusList:
        cached = self._cache.get(uri)
        if cached is not None and now < cached.until:
            # Skip the fetch and the signature check, not the trust decision: the cached
            # token's key must still be one of *this* credential's issuer's keys.
            try:
                resolve_key(cached.header, cached.payload)
            except CertfreeError:
                pass
            else:
                return cached.status_list
        token = self._fetch(uri)
        status_list = verify_status_list_token(token, resolve_key, expected_uri=uri, now=now)
        header, payload = _unverified(token)
        ttl = payload.get("ttl")
        until = now + (ttl if isinstance(ttl, int) and ttl > 0 else DEFAULT_TTL)
        self._cache[uri] = _Cached(until, header, payload, status_list)
        return status_list

    @classmethod
    def from_database(cls, session: Session, keys: KeyStore) -> StatusLists:
        """The node's own lists, read from its database (no HTTP round trip to itself).

        Only URIs of the form ``.../api/v1/status-lists/<USCC>/<n>`` are served; another
        node's list is "unavailable" here rather than fetched, so a presentation cannot make
        the node call arbitrary URLs.
        """

        def fetch(uri: str) -> str:
            match = _LOCAL_LIST.search(httpx.URL(uri).path)
            if match is None:
                raise NotFound(f"状态列表 {uri} 不在本节点 (status list not served here)")
            return signed_status_list(session, keys, match["uscc"], int(match["no"])).token

        return cls(fetch)

    @classmethod
    def from_directory(cls, directory: Path) -> StatusLists:
        """Offline: every ``*.jwt`` file in ``directory``, found by its ``sub`` (the URI)."""
        tokens: dict[str, str] = {}
        for path in sorted(directory.glob("*.jwt")):
            token = path.read_text(encoding="ascii").strip()
            sub = _unverified(token)[1].get("sub")
            if isinstance(sub, str):
                tokens[sub] = token

        def fetch(uri: str) -> str:
            if uri not in tokens:
                raise NotFound(f"离线目录 {directory} 中没有状态列表 {uri} (status list not saved)")
            return tokens[uri]

        return cls(fetch)

    @classmethod
    def over_http(cls, client: httpx.Client) -> StatusLists:
        """Online: GET the URI (Token Status List §8.1) with ``client``."""

        def fetch(uri: str) -> str:
            try:
                response = client.get(uri, headers={"Accept": STATUS_LIST_MEDIA_TYPE})
                response.raise_for_status()
            except httpx.HTTPError as exc:
                raise NotFound(f"无法获取状态列表 {uri} (status list unavailable: {exc})") from exc
            return response.text.strip()

        return cls(fetch)


def _unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    parts = token.split(".")
    try:
        header, payload = (json.loads(b64url_decode(p)) for p in parts[:2])
    except (ValueError, InvalidInput):
        return {}, {}
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return {}, {}
    return header, payload


def _failure(check: Check, exc: SdJwtInvalid | StatusListInvalid, prefix: str = "") -> FailedCheck:
    return FailedCheck(check, prefix + exc.reason.value, exc.message_en, exc.message_zh)


def _check_status(
    claims: dict[str, Any], trust: TrustList, status_lists: StatusListSource, now: int
) -> tuple[int | None, FailedCheck | None]:
    reference = claims.get("status", {})
    reference = reference.get("status_list") if isinstance(reference, dict) else None
    if reference is None:
        return None, None  # Token Status List §6.1: a credential without status is not revocable
    idx, uri = reference.get("idx"), reference.get("uri")
    if not isinstance(idx, int) or not isinstance(uri, str):
        bad = "status.status_list needs an integer idx and a uri"
        return None, FailedCheck(Check.STATUS, "status_malformed", bad, "证照状态引用格式错误")
    issuer = claims.get("iss")

    def issuer_key(header: dict[str, Any], payload: dict[str, Any]) -> KeyLike:
        # The list must be sealed by the credential's own issuer (§8.3 step 1).
        return trust.key_for(issuer, header.get("kid"))

    try:
        status = status_lists.status_list(uri, issuer_key, now).get(idx)
    except CertfreeError as exc:
        return None, _status_error(exc)
    return status, _status_failure(status)


def _status_error(exc: CertfreeError) -> FailedCheck:
    if isinstance(exc, StatusListInvalid):
        return _failure(Check.STATUS, exc, "status_list_")
    if isinstance(exc, InvalidInput):  # idx outside the list
        return FailedCheck(Check.STATUS, "status_malformed", exc.message, "证照状态序号越界")
    # NotFound and the like: no list to be had (offline directory lacks it, network down).
    return FailedCheck(Check.STATUS, "status_unavailable", exc.message, "无法获取证照状态")


def _status_failure(status: int) -> FailedCheck | None:
    if status == StatusValue.VALID:
        return None
    if status in _STATUS_REASONS:
        reason, zh, en = _STATUS_REASONS[StatusValue(status)]
    else:  # §7.1: 0x03 and 0x0B-0x0F are application specific; none means "valid" to us
        reason, zh, en = f"status_{status:#04x}", "证照状态异常", f"status value {status:#04x}"
    return FailedCheck(Check.STATUS, reason, en, zh)


def verify_presentation(
    presentation: str,
    *,
    trust: TrustList,
    status_lists: StatusListSource,
    audience: str,
    nonce: str,
    now: int | None = None,
    max_kb_age: int = 300,
) -> VerificationResult:
    """Verify a presentation (SD-JWT VC + KB-JWT) made for ``audience`` with ``nonce``.

    Never raises for a bad presentation: the result lists each failed check with its reason
    code (``SdJwtReason`` values, ``revoked``, ``suspended``, ``status_unavailable``,
    ``status_list_<reason>``) and English and Chinese messages.
    """
    moment = int(time.time()) if now is None else now
    failed: list[FailedCheck] = []
    try:
        verified = verify_sd_jwt(
            presentation,
            trust.resolve,
            audience=audience,
            nonce=nonce,
            now=moment,
            max_kb_age=max_kb_age,
        )
    except SdJwtInvalid as exc:
        check = _CHECK_OF_REASON.get(exc.reason) or (
            Check.KEY_BINDING if exc.reason in _SEAL_VERIFIED else Check.FORMAT
        )
        failed.append(_failure(check, exc))
        if exc.reason not in _SEAL_VERIFIED:
            return VerificationResult(valid=False, failed=tuple(failed))
        payload = parse_sd_jwt(presentation).payload
        status, status_failure = _check_status(payload, trust, status_lists, moment)
        if status_failure is not None:
            failed.append(status_failure)
        return VerificationResult(
            valid=False,
            failed=tuple(failed),
            issuer=payload.get("iss"),
            vct=payload.get("vct"),
            status=status,
        )
    claims = verified.claims
    status, status_failure = _check_status(claims, trust, status_lists, moment)
    if status_failure is not None:
        failed.append(status_failure)
    valid = not failed
    return VerificationResult(
        valid=valid,
        claims=_shown_claims(claims) if valid else {},
        disclosed=shown_names(verified.disclosed) if valid else (),
        failed=tuple(failed),
        issuer=claims.get("iss"),
        vct=claims.get("vct"),
        holder_jwk=verified.holder_jwk,
        status=status,
    )


def _shown_claims(claims: dict[str, Any]) -> dict[str, Any]:
    """The verified claims as a verifier reads them: face fields at the top level, and the
    GB/T 36903 metadata the credential leaves to standard claims spelt out (issue date,
    validity from ``iat``/``nbf``/``exp``, type name from the catalog by ``vct``)."""
    shown = flatten_face(claims)
    shown.pop("cnf", None)
    for name, value in validity_dates(claims).items():
        shown.setdefault(name, value)
    vct = claims.get("vct")
    kind = cert_types().get(vct) if isinstance(vct, str) else None
    if kind is not None:
        shown.setdefault("certificate_name", kind.name)
    return shown
