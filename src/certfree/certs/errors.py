"""Errors of the e-certificate domain; each says what to fix."""

from __future__ import annotations

from certfree.errors import Conflict, InvalidInput, NotFound

__all__ = ["CertTypeNotFound", "CertificateNotFound", "FaceDataInvalid", "StatusConflict"]


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
