"""Why an SD-JWT was refused: one stable reason code per check, in English and Chinese."""

from __future__ import annotations

import enum

from certfree.errors import RefusedForReason

__all__ = ["REASON_ZH", "SdJwtInvalid", "SdJwtReason"]


class SdJwtReason(enum.StrEnum):
    """Why an SD-JWT was refused; the value is the stable code callers match on."""

    MALFORMED = "malformed"
    WRONG_TYPE = "wrong_type"
    OVERSIZED = "oversized"
    ALG_NOT_ALLOWED = "alg_not_allowed"
    UNKNOWN_ISSUER = "unknown_issuer"
    BAD_ISSUER_SIGNATURE = "bad_issuer_signature"
    UNSUPPORTED_SD_ALG = "unsupported_sd_alg"
    MALFORMED_DISCLOSURE = "malformed_disclosure"
    DISCLOSURE_NOT_REFERENCED = "disclosure_not_referenced"
    DUPLICATE_DISCLOSURE = "duplicate_disclosure"
    DUPLICATE_DIGEST = "duplicate_digest"
    CLAIM_CONFLICT = "claim_conflict"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    KB_MISSING = "kb_missing"
    HOLDER_KEY_MISSING = "holder_key_missing"
    KB_WRONG_TYPE = "kb_wrong_type"
    KB_BAD_SIGNATURE = "kb_bad_signature"
    KB_WRONG_AUDIENCE = "kb_wrong_audience"
    KB_WRONG_NONCE = "kb_wrong_nonce"
    KB_STALE = "kb_stale"
    KB_SD_HASH_MISMATCH = "kb_sd_hash_mismatch"


REASON_ZH: dict[SdJwtReason, str] = {
    SdJwtReason.MALFORMED: "凭证格式错误",
    SdJwtReason.WRONG_TYPE: "凭证类型（typ）不符",
    SdJwtReason.OVERSIZED: "凭证过大",
    SdJwtReason.ALG_NOT_ALLOWED: "签名算法不被接受",
    SdJwtReason.UNKNOWN_ISSUER: "签发机构不在信任列表中",
    SdJwtReason.BAD_ISSUER_SIGNATURE: "签发机构签章验证未通过",
    SdJwtReason.UNSUPPORTED_SD_ALG: "不支持的摘要算法",
    SdJwtReason.MALFORMED_DISCLOSURE: "披露项格式错误",
    SdJwtReason.DISCLOSURE_NOT_REFERENCED: "披露项未被签发机构签章覆盖（可能被篡改）",
    SdJwtReason.DUPLICATE_DISCLOSURE: "披露项重复",
    SdJwtReason.DUPLICATE_DIGEST: "摘要重复",
    SdJwtReason.CLAIM_CONFLICT: "披露项与已有字段冲突",
    SdJwtReason.EXPIRED: "证照已过有效期",
    SdJwtReason.NOT_YET_VALID: "证照尚未生效",
    SdJwtReason.KB_MISSING: "缺少持证人密钥绑定",
    SdJwtReason.HOLDER_KEY_MISSING: "证照未绑定持证人密钥",
    SdJwtReason.KB_WRONG_TYPE: "密钥绑定类型错误",
    SdJwtReason.KB_BAD_SIGNATURE: "密钥绑定签名验证未通过（非持证人密钥）",
    SdJwtReason.KB_WRONG_AUDIENCE: "亮证对象不符",
    SdJwtReason.KB_WRONG_NONCE: "随机数不符",
    SdJwtReason.KB_STALE: "亮证已过时",
    SdJwtReason.KB_SD_HASH_MISMATCH: "密钥绑定摘要与亮证内容不符",
}


class SdJwtInvalid(RefusedForReason):
    """An SD-JWT or its key binding failed a check; ``reason`` says which (SdJwtReason)."""

    slug = "sd-jwt-invalid"
    title = "Credential does not verify"
    title_zh = "电子证照验证未通过"
    reasons_zh = REASON_ZH
    reason: SdJwtReason
