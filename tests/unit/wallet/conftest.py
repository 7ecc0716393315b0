"""Wallet fixtures: credentials bound to a holder, and QR codes read back as a phone would.

Neither Pillow nor numpy is a dependency, and zxing-cpp accepts a plain buffer shaped
(height, width), so the few lines of PNG decoding (RFC 2083 / ISO/IEC 15948) live here.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Mapping
from typing import Any

import pytest
import zxingcpp

from certfree.crypto import Alg, generate_signer, issue_sd_jwt
from certfree.wallet import HolderKey

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(raw: bytes, stride: int, height: int, bpp: int) -> list[bytes]:
    """Undo the per-row filters of ISO/IEC 15948 §9.2 (types 0 to 4)."""
    rows: list[bytes] = []
    previous = bytearray(stride)
    for index in range(height):
        start = index * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            upleft = previous[i - bpp] if i >= bpp else 0
            predictor = [0, left, up, (left + up) // 2, _paeth(left, up, upleft)][kind]
            line[i] = (line[i] + predictor) & 0xFF
        rows.append(bytes(line))
        previous = line
    return rows


def png_to_grey(png: bytes) -> tuple[bytes, int, int]:
    """Grey 8-bit pixels (0 or 255) of a bit-depth-1 greyscale or palette PNG, and its size."""
    assert png.startswith(_SIGNATURE), "not a PNG"
    offset, idat = len(_SIGNATURE), b""
    width = height = depth = colour = 0
    palette = b""
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        body = png[offset + 8 : offset + 8 + length]
        offset += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"PLTE":
            palette = body
        elif kind == b"IDAT":
            idat += body
    assert depth == 1, f"unexpected PNG bit depth {depth}"
    assert colour in (0, 3), f"unexpected PNG colour type {colour}"
    stride = (width + 7) // 8
    rows = _unfilter(zlib.decompress(idat), stride, height, 1)
    pixels = bytearray()
    for row in rows:
        for x in range(width):
            bit = (row[x // 8] >> (7 - x % 8)) & 1
            if colour == 3:  # palette: take the red channel of the entry
                pixels.append(palette[3 * bit])
            else:
                pixels.append(255 if bit else 0)
    return bytes(pixels), width, height


def decode_qr_png(png: bytes) -> list[str]:
    """Every QR text zxing-cpp finds in ``png``."""
    pixels, width, height = png_to_grey(png)
    image = memoryview(pixels).cast("B", (height, width))
    qr_only = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    found = zxingcpp.read_barcodes(image, formats=qr_only)
    return [barcode.text for barcode in found]


@pytest.fixture
def read_qr() -> Callable[[bytes], list[str]]:
    return decode_qr_png


ISSUED_AT = 1_764_000_000  # 2025-11-24, fixed so digests and listings are reproducible
FACE = {
    "name": "张三",
    "birth_date": "1960-01-01",
    "age_over_60": True,
    "age_over_18": True,
    "id_number": "110101196001011237",
    "address": "山东省济南市历下区泉城路 1 号",
}


def issue_credential(holder_jwk: Mapping[str, Any], **overrides: Any) -> str:
    """An SD-JWT VC like an issuing department's, every face field selectively disclosable."""
    issuer = generate_signer(Alg.EdDSA)
    claims: dict[str, Any] = {
        "iss": "https://certs.sd.gov.cn/issuers/11370000004418820E",
        "vct": "11100000000000000001A",
        "jti": "37000011100000000000120250001",
        "iat": ISSUED_AT,
        "exp": ISSUED_AT + 10 * 365 * 86400,
        **FACE,
        **overrides,
    }
    disclosable = [name for name in FACE if name in claims]
    return issue_sd_jwt(issuer, claims, selectively_disclosable=disclosable, holder_jwk=holder_jwk)


@pytest.fixture
def holder() -> HolderKey:
    return HolderKey.generate()


@pytest.fixture
def credential(holder: HolderKey) -> str:
    return issue_credential(holder.public_jwk())


@pytest.fixture
def issue() -> Callable[..., str]:
    """``issue(holder_jwk, **claim_overrides)``: a credential as ``issue_credential`` makes."""
    return issue_credential


@pytest.fixture
def face() -> dict[str, Any]:
    return dict(FACE)
