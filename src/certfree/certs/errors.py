"""Errors of the e-certificate domain (issuing, status, claiming, short codes); what to fix."""

from __future__ import annotations

from certfree.errors import Conflict, Forbidden, InvalidInput, NotFound

__all__ = [
    "CertTypeNotFound",
    "CertificateNotFound",
    "FaceDataInvalid",
    "HolderDeceased",
    "HolderKeyAlreadyBound",
    "HolderOutsideJurisdiction",
    "HolderUnknown",
    "NotCertificateHolder",
    "ShortCodeExpired",
    "ShortCodeNotFound",
    "ShortCodePresentationInvalid",
    "ShortCodeUsed",
    "StatusConflict",
    "StatusListNotFound",
]


class CertTypeNotFound(NotFound):
    slug = "cert-type-not-found"
    title = "Certificate type not found"
    title_zh = "未找到该电子证照类型"


class CertificateNotFound(NotFound):
    slug = "certificate-not-found"
    title = "Certificate not found"
    title_zh = "未找到该电子证照"


class StatusListNotFound(NotFound):
    slug = "status-list-not-found"
    title = "Status list not found"
    title_zh = "未找到该状态列表"


class FaceDataInvalid(InvalidInput):
    """A face-data field is missing, of the wrong type, or fails its check; ``field`` names it."""

    slug = "face-data-invalid"
    title = "Certificate face data is invalid"
    title_zh = "照面信息有误"


class StatusConflict(Conflict):
    """The status change does not apply to the certificate's current status."""

    slug = "certificate-status-conflict"
    title = "Certificate status does not allow this"
    title_zh = "证照当前状态不允许此操作"


class HolderUnknown(InvalidInput):
    """The holder (field ``holder``) is not in this node's population or firm register."""

    slug = "certificate-holder-unknown"
    title = "Certificate holder is not registered"
    title_zh = "持证主体不在登记库中"


class HolderDeceased(InvalidInput):
    """The holder (field ``holder``) is recorded as deceased in the population register."""

    slug = "certificate-holder-deceased"
    title = "Certificate holder is deceased"
    title_zh = "持证人已死亡"


class ShortCodePresentationInvalid(InvalidInput):
    """What the holder posted is not an SD-JWT presentation with a key-binding JWT."""

    slug = "short-code-presentation-invalid"
    title = "Not a presentation"
    title_zh = "不是有效的亮证数据"


class ShortCodeNotFound(NotFound):
    slug = "short-code-not-found"
    title = "Short code not found"
    title_zh = "短码不存在"


class ShortCodeUsed(Conflict):
    """A short code is one-time: the second redeem is refused."""

    slug = "short-code-used"
    title = "Short code already redeemed"
    title_zh = "短码已被使用"


class ShortCodeExpired(Conflict):
    slug = "short-code-expired"
    title = "Short code expired"
    title_zh = "短码已过期"


class NotCertificateHolder(Forbidden):
    slug = "not-certificate-holder"
    title = "Only the holder may claim a certificate"
    title_zh = "只有持证人本人可以认领证照"


class HolderKeyAlreadyBound(Conflict):
    """The certificate already carries a holder key (``cnf``); claiming it again is refused."""

    slug = "holder-key-already-bound"
    title = "Certificate is already bound to a holder key"
    title_zh = "证照已绑定持证人密钥"


class HolderOutsideJurisdiction(Forbidden):
    """The holder (field ``holder``) is registered outside the issuing organ's region."""

    slug = "certificate-holder-outside-jurisdiction"
    title = "Holder is outside the issuing organ's jurisdiction"
    title_zh = "持证主体不在发证机关管辖范围内"
