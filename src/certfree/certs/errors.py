"""Errors of the e-certificate domain; each says what to fix."""

from __future__ import annotations

from certfree.errors import Conflict, InvalidInput, NotFound

__all__ = [
    "CertTypeNotFound",
    "CertificateNotFound",
    "FaceDataInvalid",
    "HolderDeceased",
    "HolderUnknown",
    "StatusConflict",
]


class CertTypeNotFound(NotFound):
    slug = "cert-type-not-found"
    title = "Certificate type not found"
    title_zh = "未找到该电子证照类型"


class CertificateNotFound(NotFound):
    slug = "certificate-not-found"
    title = "Certificate not found"
    title_zh = "未找到该电子证照"


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
