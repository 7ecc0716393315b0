"""Lifecycles and code lists of e-certificates, as StrEnums stored by value."""

from __future__ import annotations

import enum

__all__ = [
    "STATUS_INVALID",
    "STATUS_SUSPENDED",
    "STATUS_VALID",
    "CertStatus",
    "FieldType",
    "HolderCategory",
    "IssuerLevel",
    "RevocationReason",
]

# Token Status List (draft-ietf-oauth-status-list §7.1) values written for each certificate.
STATUS_VALID = 0
STATUS_INVALID = 1
STATUS_SUSPENDED = 2


class CertStatus(enum.StrEnum):
    """Where a certificate is in its life. ``expired`` is never stored: it is computed from
    ``valid_to`` (see :func:`certfree.certs.effective_status`)."""

    ISSUED = "issued"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"

    @property
    def zh(self) -> str:
        return {"issued": "有效", "suspended": "已暂停", "revoked": "已注销", "expired": "已过期"}[
            self.value
        ]

    @property
    def list_value(self) -> int:
        """The value this status writes into the issuer's status list."""
        if self is CertStatus.REVOKED:
            return STATUS_INVALID
        if self is CertStatus.SUSPENDED:
            return STATUS_SUSPENDED
        return STATUS_VALID


class RevocationReason(enum.StrEnum):
    """Why a certificate was revoked (注销原因)."""

    LOST = "lost"
    SUPERSEDED = "superseded"
    HOLDER_DECEASED = "holder_deceased"
    ISSUED_IN_ERROR = "issued_in_error"
    CANCELLED_BY_AUTHORITY = "cancelled_by_authority"
    HOLDER_REQUEST = "holder_request"
    DATA_CHANGED = "data_changed"

    @property
    def zh(self) -> str:
        return _REASONS_ZH[self]


_REASONS_ZH = {
    RevocationReason.LOST: "遗失",
    RevocationReason.SUPERSEDED: "已换发新版本",
    RevocationReason.HOLDER_DECEASED: "持证人死亡",
    RevocationReason.ISSUED_IN_ERROR: "错误签发",
    RevocationReason.CANCELLED_BY_AUTHORITY: "发证机关依法注销",
    RevocationReason.HOLDER_REQUEST: "持证人申请注销",
    RevocationReason.DATA_CHANGED: "照面信息变更",
}


class HolderCategory(enum.StrEnum):
    """Who holds a type (GB/T 36902 持证主体类别) and which identifier names them."""

    PERSON = "person"
    ORGANISATION = "organisation"

    @property
    def holder_code_type(self) -> str:
        """GB/T 36902 持证主体代码类型: 111 resident ID number, 001 USCC."""
        return "111" if self is HolderCategory.PERSON else "001"

    @property
    def zh(self) -> str:
        return "自然人" if self is HolderCategory.PERSON else "法人和其他组织"


class IssuerLevel(enum.StrEnum):
    """The level of government whose organs issue a type (颁发机构级别)."""

    NATIONAL = "national"
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


class FieldType(enum.StrEnum):
    """Types of a face-data field (照面信息项)."""

    STRING = "string"
    DATE = "date"
    INTEGER = "integer"
    ENUM = "enum"
    ID_NUMBER = "id_number"
    USCC = "uscc"
