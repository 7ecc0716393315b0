"""Errors of the catalog domain (sharing grants), under ``certfree.errors``:

    CertfreeError
    ├── NotFound
    │   └── GrantNotFound       404 no grant with that id
    ├── Conflict
    │   └── GrantRevoked        409 the grant is already revoked
    └── AuthError
        └── Forbidden
            └── GrantRefused    403 no usable grant covers the request (named ``reason``)

Each refusal carries its reason slug (``GrantReason``) in the problem document.
"""

from __future__ import annotations

import enum
from typing import Any

from certfree.errors import Conflict, Forbidden, NotFound

__all__ = ["GrantNotFound", "GrantReason", "GrantRefused", "GrantRevoked"]


class GrantReason(enum.StrEnum):
    """Why a request is not covered by a grant; stable slugs that clients act on."""

    NO_GRANT = "no_grant"
    NOT_YET_VALID = "grant_not_yet_valid"
    EXPIRED = "grant_expired"
    REVOKED = "grant_revoked"
    WRONG_PURPOSE = "wrong_purpose"
    DATA_ITEM_NOT_ALLOWED = "data_item_not_allowed"

    @property
    def zh(self) -> str:
        return _ZH[self]


_ZH = {
    GrantReason.NO_GRANT: "没有共享授权",
    GrantReason.NOT_YET_VALID: "共享授权尚未生效",
    GrantReason.EXPIRED: "共享授权已过期",
    GrantReason.REVOKED: "共享授权已撤销",
    GrantReason.WRONG_PURPOSE: "共享授权不含此服务事项（用途不符）",
    GrantReason.DATA_ITEM_NOT_ALLOWED: "共享授权不含所需数据项",
}


class GrantRefused(Forbidden):
    slug = "grant-refused"
    title = "Not covered by a sharing grant"
    title_zh = "无共享授权"

    def __init__(self, reason: GrantReason, detail: str) -> None:
        super().__init__(f"{reason.zh}：{detail}")
        self.reason = reason

    def problem_extensions(self) -> dict[str, Any]:
        return {"reason": self.reason.value}


class GrantNotFound(NotFound):
    slug = "grant-not-found"
    title = "Grant not found"
    title_zh = "未找到共享授权"


class GrantRevoked(Conflict):
    slug = "grant-revoked"
    title = "Grant already revoked"
    title_zh = "共享授权已撤销"
