"""IETF Token Status List (draft-ietf-oauth-status-list): the list, its encoding, its JWT.

A status list is a byte array of ``bits``-wide entries (§4.1): entry *i* lives in byte
``i * bits // 8`` at bit offset ``(i * bits) % 8`` counted from the least significant bit;
``lst`` is base64url (no padding) of the array compressed with DEFLATE in the ZLIB format
(RFC 1950). The token is a JWT of ``typ: statuslist+jwt`` (§5.1) sealed by the issuer.
"""

from __future__ import annotations

import enum
import zlib
from collections.abc import Callable
from typing import Any

from certfree.crypto.algorithms import Signer
from certfree.crypto.encoding import b64url_decode, b64url_encode, is_numeric_date
from certfree.crypto.jws import sign_jws
from certfree.crypto.keys import KeyLike
from certfree.crypto.sdjwt import SdJwtInvalid, check_jws_signature, open_jws
from certfree.errors import InvalidInput, KeyNotFound, RefusedForReason, SignatureInvalid

__all__ = [
    "STATUS_LIST_TYP",
    "StatusList",
    "StatusListInvalid",
    "StatusListReason",
    "StatusValue",
    "sign_status_list_token",
    "verify_status_list_token",
]

STATUS_LIST_TYP = "statuslist+jwt"  # §5.1
_BITS = (1, 2, 4, 8)  # §4.1: the only allowed entry widths
# A compressed list can inflate a thousandfold; cap what we accept from the network (16 MiB
# holds 134 million 1-bit entries, far beyond any issuer's list).
_MAX_DECODED_BYTES = 16 * 1024 * 1024


class StatusValue(enum.IntEnum):
    """Status Types (§7.1); 0x03 and 0x0B-0x0F are application specific."""

    VALID = 0
    INVALID = 1  # revoked, for good
    SUSPENDED = 2


class StatusListReason(enum.StrEnum):
    MALFORMED = "malformed"
    ALG_NOT_ALLOWED = "alg_not_allowed"
    WRONG_TYPE = "wrong_type"
    UNKNOWN_ISSUER = "unknown_issuer"
    BAD_SIGNATURE = "bad_signature"
    WRONG_URI = "wrong_uri"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    BAD_ENCODING = "bad_encoding"


_REASON_ZH = {
    StatusListReason.MALFORMED: "状态列表令牌格式错误",
    StatusListReason.ALG_NOT_ALLOWED: "签名算法不被接受",
    StatusListReason.WRONG_TYPE: "不是状态列表令牌",
    StatusListReason.UNKNOWN_ISSUER: "状态列表签发机构不在信任列表中",
    StatusListReason.BAD_SIGNATURE: "状态列表签章验证未通过",
    StatusListReason.WRONG_URI: "状态列表地址不符",
    StatusListReason.EXPIRED: "状态列表已过期",
    StatusListReason.NOT_YET_VALID: "状态列表尚未生效",
    StatusListReason.BAD_ENCODING: "状态列表编码错误",
}


class StatusListInvalid(RefusedForReason):
    """A status list or its token was refused; ``reason`` says why (StatusListReason)."""

    slug = "status-list-invalid"
    title = "Status list does not verify"
    title_zh = "状态列表验证未通过"
    reasons_zh = _REASON_ZH
    reason: StatusListReason


class StatusList:
    """``size`` entries of ``bits`` bits each, all VALID (0) at first."""

    def __init__(self, bits: int, size: int, *, data: bytes | None = None) -> None:
        if bits not in _BITS:
            raise InvalidInput(f"bits must be 1, 2, 4 or 8, got {bits}", field="bits")
        if size < 1:
            raise InvalidInput(f"size must be positive, got {size}", field="size")
        self.bits = bits
        self.size = size
        length = (size * bits + 7) // 8
        if data is not None and len(data) != length:
            raise InvalidInput(f"{size} entries of {bits} bits need {length} bytes")
        self._data = bytearray(data if data is not None else length)

    def _locate(self, index: int) -> tuple[int, int]:
        if not 0 <= index < self.size:
            raise InvalidInput(f"index {index} outside the list of {self.size}", field="idx")
        position = index * self.bits
        return position // 8, position % 8  # §4.1: LSB-first within each byte

    def get(self, index: int) -> int:
        byte, shift = self._locate(index)
        return (self._data[byte] >> shift) & ((1 << self.bits) - 1)

    def set(self, index: int, status: int) -> None:
        mask = (1 << self.bits) - 1
        if not 0 <= status <= mask:
            raise InvalidInput(f"status {status} does not fit in {self.bits} bits", field="status")
        byte, shift = self._locate(index)
        self._data[byte] = (self._data[byte] & ~(mask << shift)) | (status << shift)

    def __len__(self) -> int:
        return self.size

    def __bytes__(self) -> bytes:
        return bytes(self._data)

    def encode(self) -> str:
        """``lst``: base64url of the ZLIB/DEFLATE-compressed bytes, highest compression (§4.1)."""
        return b64url_encode(zlib.compress(bytes(self._data), level=9))

    @classmethod
    def decode(cls, lst: str, bits: int) -> StatusList:
        """The list that ``lst`` encodes; its size is every entry the bytes hold.

        Raises StatusListInvalid (BAD_ENCODING) for bad base64url, bad zlib or a list over
        16 MiB once inflated.
        """
        if bits not in _BITS:
            raise StatusListInvalid(StatusListReason.BAD_ENCODING, f"bits {bits!r}")
        try:
            inflater = zlib.decompressobj()
            data = inflater.decompress(b64url_decode(lst), _MAX_DECODED_BYTES)
            if inflater.unconsumed_tail or not inflater.eof:
                raise StatusListInvalid(StatusListReason.BAD_ENCODING, "truncated or too large")
        except (InvalidInput, zlib.error) as exc:
            raise StatusListInvalid(StatusListReason.BAD_ENCODING, str(exc)) from exc
        if not data:
            raise StatusListInvalid(StatusListReason.BAD_ENCODING, "empty list")
        return cls(bits, len(data) * 8 // bits, data=data)

    def to_json(self) -> dict[str, Any]:
        """The ``status_list`` claim (§4.2)."""
        return {"bits": self.bits, "lst": self.encode()}


def sign_status_list_token(
    signer: Signer, sub_uri: str, status_list: StatusList, *, iat: int, exp: int, ttl: int
) -> str:
    """A Status List Token (§5.1): header ``typ: statuslist+jwt``; claims ``sub`` (the URI it
    is served at), ``iat``, ``exp``, ``ttl`` (seconds a relying party may cache it) and
    ``status_list``."""
    payload = {
        "sub": sub_uri,
        "iat": iat,
        "exp": exp,
        "ttl": ttl,
        "status_list": status_list.to_json(),
    }
    return sign_jws(signer, payload, header={"typ": STATUS_LIST_TYP})


def _date_claim(payload: dict[str, Any], name: str, *, required: bool) -> int | None:
    if name not in payload and not required:
        return None
    value = payload.get(name)
    if not is_numeric_date(value):  # integers only: see is_numeric_date
        raise StatusListInvalid(
            StatusListReason.MALFORMED, f"{name} must be an integer NumericDate"
        )
    return value


def verify_status_list_token(
    token: str,
    resolve_key: Callable[[dict[str, Any], dict[str, Any]], KeyLike],
    *,
    expected_uri: str,
    now: int,
) -> StatusList:
    """Check a Status List Token (§8.3) and return its list.

    ``resolve_key(header, payload)`` returns the issuer's key or raises KeyNotFound. Checks,
    in order: JWS form and alg, ``typ``, signature, ``sub`` equal to ``expected_uri`` (the
    credential's ``status.status_list.uri``), ``iat``/``exp`` against ``now``, the encoding.
    Raises StatusListInvalid with the reason.
    """
    try:
        header, payload, signing_input, signature = open_jws(token.strip(), "status list token")
    except SdJwtInvalid as exc:
        reason = StatusListReason(exc.reason.value)  # malformed or alg_not_allowed
        raise StatusListInvalid(reason, exc.message_en) from exc
    if header.get("typ") != STATUS_LIST_TYP:
        raise StatusListInvalid(StatusListReason.WRONG_TYPE, f"typ {header.get('typ')!r}")
    try:
        key = resolve_key(header, payload)
    except KeyNotFound as exc:
        raise StatusListInvalid(StatusListReason.UNKNOWN_ISSUER, exc.message) from exc
    try:
        check_jws_signature(key, header, signing_input, signature)
    except SignatureInvalid as exc:
        raise StatusListInvalid(StatusListReason.BAD_SIGNATURE, exc.message) from exc
    if payload.get("sub") != expected_uri:  # §8.3 step 2: sub must equal the referenced uri
        raise StatusListInvalid(
            StatusListReason.WRONG_URI, f"token is for {payload.get('sub')!r}, not {expected_uri}"
        )
    iat = _date_claim(payload, "iat", required=True)
    exp = _date_claim(payload, "exp", required=False)
    if iat is not None and iat > now + 60:  # 60 s of clock skew
        raise StatusListInvalid(StatusListReason.NOT_YET_VALID, f"issued at {iat}, now {now}")
    if exp is not None and now >= exp:
        raise StatusListInvalid(StatusListReason.EXPIRED, f"expired at {exp}, now {now}")
    claim = payload.get("status_list")
    if (
        not isinstance(claim, dict)
        or not isinstance(claim.get("lst"), str)
        or type(claim.get("bits")) is not int
    ):
        raise StatusListInvalid(StatusListReason.MALFORMED, "no status_list {bits, lst} claim")
    return StatusList.decode(claim["lst"], claim["bits"])
