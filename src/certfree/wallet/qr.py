"""Showing a presentation as a QR code (亮证): sizing, refusal of what will not scan, rendering.

An SD-JWT presentation is base64url, ``.`` and ``~`` — lower-case letters rule out the
alphanumeric mode, so it travels in byte mode (ISO/IEC 18004 §7.4.5). The code is shown on a
phone screen and read by another phone's camera: a screen has no print damage, so the symbol
is sized at error-correction level L and raised to M, Q or H only when that costs no extra
version (segno's ``boost_error``); fewer, larger modules are what keeps ~1,400 characters
scannable (version 27-L, 125 modules, instead of 31-M at 141).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import segno
from segno import consts as segno_consts

from certfree.errors import InvalidInput
from certfree.wallet.errors import QrPayloadTooLarge

__all__ = [
    "MAX_QR_VERSION",
    "QR_FORMATS",
    "SCANNABLE_QR_VERSION",
    "QrPlan",
    "payload_size_check",
    "render_qr",
]

MAX_QR_VERSION = 40  # ISO/IEC 18004 Table 1: the largest symbol, 177 x 177 modules
# Above this a phone camera reading another phone's screen starts to struggle (version 30 is
# 137 modules, ~7 screen pixels each on a 1080-pixel-wide display with the quiet zone).
SCANNABLE_QR_VERSION = 30
# ISO/IEC 18004 Table 7: byte-mode capacity of version 40 at level L.
_MAX_BYTES = 2953
QR_FORMATS = ("svg", "png")
_QUIET_ZONE = 4  # ISO/IEC 18004 §6.3.8: four modules of light margin
_PNG_SCALE = 8  # pixels per module, enough for a print or a screenshot to stay sharp


@dataclass(frozen=True, slots=True)
class QrPlan:
    """The symbol a payload needs: version, error-correction level, size and byte count."""

    version: int
    error: str  # "L", "M", "Q" or "H"
    modules: int  # modules per side, quiet zone excluded (17 + 4 x version)
    payload_bytes: int
    capacity_bytes: int  # what this version and level hold in byte mode

    @property
    def designator(self) -> str:
        return f"{self.version}-{self.error}"

    @property
    def scannable(self) -> bool:
        """Whether the symbol stays within the version a phone reads from a screen."""
        return self.version <= SCANNABLE_QR_VERSION

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "error": self.error,
            "modules": self.modules,
            "payload_bytes": self.payload_bytes,
            "capacity_bytes": self.capacity_bytes,
        }


def _make(payload: str, max_version: int) -> tuple[Any, QrPlan]:
    data = payload.encode("utf-8")
    if not data:
        raise QrPayloadTooLarge("二维码内容为空（empty payload）", field="payload")
    if len(data) > _MAX_BYTES:
        raise QrPayloadTooLarge(
            f"内容 {len(data)} 字节，超过二维码最大容量 {_MAX_BYTES} 字节（40-L 版本，字节模式）；"
            "请少披露几项，或改用在线短码模式（wallet short-code）",
            field="payload",
        )
    try:
        code = segno.make(data, error="L", mode="byte", micro=False, boost_error=True)
    except segno.DataOverflowError as exc:  # the capacity table above is exact; belt and braces
        raise QrPayloadTooLarge(f"内容放不进二维码：{exc}", field="payload") from exc
    plan = QrPlan(
        version=int(code.version),
        error=str(code.error).upper(),
        modules=int(code.symbol_size(border=0)[0]),
        payload_bytes=len(data),
        capacity_bytes=_capacity(int(code.version), str(code.error).upper()),
    )
    if plan.version > max_version:
        raise QrPayloadTooLarge(
            f"内容 {len(data)} 字节需要 {plan.designator} 版本二维码（{plan.modules} 模块），"
            f"超过上限版本 {max_version}；请少披露几项，或改用在线短码模式（wallet short-code）",
            field="payload",
        )
    return code, plan


def _capacity(version: int, error: str) -> int:
    """Byte-mode capacity of ``version`` at ``error`` (ISO/IEC 18004 Table 7).

    The data bits of the symbol (segno's copy of Table 7) less the 4-bit mode indicator and
    the character count indicator (8 bits up to version 9, 16 above; Table 3), in whole bytes.
    """
    table = cast(dict[int, dict[int, int]], segno_consts.SYMBOL_CAPACITY)
    bits = table[version][segno_consts.ERROR_MAPPING[error]]
    count_bits = 8 if version <= 9 else 16
    return (bits - 4 - count_bits) // 8


def payload_size_check(payload: str, *, max_version: int = MAX_QR_VERSION) -> QrPlan:
    """The QR symbol ``payload`` needs; QrPayloadTooLarge says why it will not fit.

    Refused: an empty payload, one over the 2,953 bytes of the largest symbol, and one that
    needs a version above ``max_version``.
    """
    return _make(payload, max_version)[1]


def render_qr(payload: str, target: Path | str, *, max_version: int = MAX_QR_VERSION) -> bytes:
    """Render ``payload`` as an SVG or PNG QR code and return the image bytes.

    ``target`` is either a format (``"svg"``/``"png"``), which only returns the bytes, or a
    path ending in .svg or .png, which is also written. Raises QrPayloadTooLarge as
    ``payload_size_check`` does (call that first to learn the version), InvalidInput for
    another format.
    """
    path: Path | None = None
    if isinstance(target, Path) or str(target).lower() not in QR_FORMATS:
        path = Path(target)
        kind = path.suffix.lstrip(".").lower()
    else:
        kind = str(target).lower()
    if kind not in QR_FORMATS:
        raise InvalidInput(f"二维码格式「{kind or target}」不支持；可选 svg、png", field="qr")
    code, _ = _make(payload, max_version)
    buffer = io.BytesIO()
    if kind == "svg":
        code.save(buffer, kind="svg", scale=_PNG_SCALE, border=_QUIET_ZONE, xmldecl=True)
    else:
        code.save(buffer, kind="png", scale=_PNG_SCALE, border=_QUIET_ZONE)
    image = buffer.getvalue()
    if path is not None:
        path.write_bytes(image)
    return image
