"""Verify a presented e-certificate (亮证核验): seal, validity, status, key binding, disclosures.

Status lists come from a ``StatusListSource`` (``status_sources``: online over HTTP, offline
from a directory of saved tokens, or the node's own database); the trust list from the
node's key store or a saved file (``trust``).
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from certfree.certs.claims import flatten_face, shown_names, validity_dates
from certfree.certs.derived import check_edge, without_edge
from certfree.certs.status_sources import StatusLists, StatusListSource  # re-exported
from certfree.certs.trust import TrustList
from certfree.certs.types import cert_types
from certfree.crypto import (
    KeyLike,
    SdJwtInvalid,
    SdJwtReason,
    StatusListInvalid,
    StatusValue,
    parse_sd_jwt,
    verify_sd_jwt,
)
from certfree.crypto.sdjwt import DEFAULT_TYP as SD_JWT_VC_TYP
from certfree.errors import CertfreeError, InvalidInput

__all__ = [
    "Check",
    "FailedCheck",
    "StatusListSource",
    "StatusLists",
    "VerificationResult",
    "verify_presentation",
]

_MAX_STATUS_INDEX = 2**32 - 1  # far beyond any list (16 MiB holds 2^27 one-bit entries)
_MAX_URI_LENGTH = 2048
# SD-JWT VC (draft-ietf-oauth-sd-jwt-vc §3.2.2.2): claims the issuer must not hide.
_NEVER_DISCLOSABLE = frozenset({"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"})


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
    DISCLOSURE_RULE = "disclosure_rule"  # a field never disclosed alone (certs.disclosure)
    DERIVED = "derived"  # a derived claim's proof (certs.derived, 端侧处理)


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
    derived: dict[str, Any] = field(default_factory=dict)  # {"age_at_least": 35, …}

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "issuer": self.issuer,
            "vct": self.vct,
            "disclosed": list(self.disclosed),
            "claims": self.claims,
            "derived": self.derived,
            "holder_jwk": self.holder_jwk,
            "status": self.status,
            "failed_checks": [f.to_json() for f in self.failed],
        }


def _failure(check: Check, exc: SdJwtInvalid | StatusListInvalid, prefix: str = "") -> FailedCheck:
    return FailedCheck(check, prefix + exc.reason.value, exc.message_en, exc.message_zh)


def _status_reference(claims: dict[str, Any]) -> tuple[int, str] | FailedCheck | None:
    """(idx, uri) of ``status.status_list``; None without ``status``; a failure if malformed.

    Token Status List §6.1: ``status`` is an object holding at least one status mechanism,
    ``status_list`` one with a non-negative integer ``idx`` and a ``uri``. A ``status`` we
    cannot read refuses the credential: read as "no status", it would never be revocable.
    """
    if "status" not in claims:
        return None  # §6.1: a credential without status is not revocable
    status = claims["status"]
    reference = status.get("status_list") if isinstance(status, dict) else None
    if not isinstance(reference, dict):
        bad = "status must be an object holding a status_list object (Token Status List §6.1)"
        return FailedCheck(Check.STATUS, "status_malformed", bad, "证照状态引用格式错误")
    idx, uri = reference.get("idx"), reference.get("uri")
    if type(idx) is not int or not 0 <= idx <= _MAX_STATUS_INDEX:
        bad = f"status.status_list.idx must be an integer from 0 to {_MAX_STATUS_INDEX}"
        return FailedCheck(Check.STATUS, "status_malformed", bad, "证照状态序号格式错误")
    if not _is_list_uri(uri):
        bad = "status.status_list.uri must be an http(s) URL"
        return FailedCheck(Check.STATUS, "status_malformed", bad, "证照状态列表地址格式错误")
    return idx, str(uri)


def _is_list_uri(uri: object) -> bool:
    if not isinstance(uri, str) or not 0 < len(uri) <= _MAX_URI_LENGTH:
        return False
    try:
        parsed = httpx.URL(uri)
    except (httpx.InvalidURL, ValueError, TypeError):
        return False
    return parsed.scheme in {"http", "https"} and bool(parsed.host)


def _check_status(
    claims: dict[str, Any], trust: TrustList, status_lists: StatusListSource, now: int
) -> tuple[int | None, FailedCheck | None]:
    reference = _status_reference(claims)
    if reference is None or isinstance(reference, FailedCheck):
        return None, reference
    idx, uri = reference
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
            # SD-JWT VC §3.2.1: typ dc+sd-jwt. The pre-2025 drafts' vc+sd-jwt is refused, not
            # accepted "for transition": it is now the IANA media type of W3C VC-JOSE-COSE's
            # SD-JWT-secured VCDM 2.0 credentials, another payload model (RFC 8725 §3.11:
            # one typ, one kind of token), and no issuer here ever sealed with it.
            typ=SD_JWT_VC_TYP,
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
            issuer=_text(payload.get("iss")),
            vct=_text(payload.get("vct")),
            status=status,
        )
    claims = verified.claims
    vc_failure = _check_vc_claims(claims, verified.disclosed)
    if vc_failure is not None:
        return VerificationResult(valid=False, failed=(vc_failure,))
    derived, refused = check_edge(claims, verified.disclosed, verified.key_binding)
    if refused is not None:  # a lone graded field, or a derived claim that does not hold
        named, *words = refused
        return VerificationResult(valid=False, failed=(FailedCheck(Check(named), *words),))
    claims, disclosed = without_edge(claims, shown_names(verified.disclosed))
    status, status_failure = _check_status(claims, trust, status_lists, moment)
    if status_failure is not None:
        failed.append(status_failure)
    valid = not failed
    return VerificationResult(
        valid=valid,
        claims=_shown_claims(claims) if valid else {},
        disclosed=disclosed if valid else (),
        derived=derived if valid else {},
        failed=tuple(failed),
        issuer=_text(claims.get("iss")),
        vct=_text(claims.get("vct")),
        holder_jwk=verified.holder_jwk,
        status=status,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _check_vc_claims(claims: dict[str, Any], disclosed: tuple[str, ...]) -> FailedCheck | None:
    """SD-JWT VC (draft-ietf-oauth-sd-jwt-vc §3.2.2): a string ``vct`` and ``iss``, and none of
    the claims of §3.2.2.2 selectively disclosed (their digests would still be the issuer's,
    but a verifier must find them in the signed payload itself)."""
    hidden = sorted(_NEVER_DISCLOSABLE.intersection(disclosed))
    if hidden:
        bad = f"claim {hidden[0]!r} may not be selectively disclosable (SD-JWT VC §3.2.2.2)"
        return FailedCheck(Check.FORMAT, "vc_claim_disclosable", bad, "证照必备字段不得选择性披露")
    vct = claims.get("vct")
    if not isinstance(vct, str) or not vct:
        bad = "an SD-JWT VC needs a string vct (SD-JWT VC §3.2.2.1.1)"
        return FailedCheck(Check.FORMAT, "vct_missing", bad, "证照缺少类型标识（vct）")
    if not isinstance(claims.get("iss"), str):
        bad = "an SD-JWT VC needs a string iss"
        return FailedCheck(Check.FORMAT, "iss_missing", bad, "证照缺少签发机构（iss）")
    return None


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
