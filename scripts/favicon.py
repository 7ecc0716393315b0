"""Write src/certfree/web/static/favicon.ico: the accent red square with a white tick.

An ICO file (one 32×32 PNG image inside, which every current browser reads) made with the
standard library only, so the node serves its own icon offline. Run again after a change.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

SIZE = 32
RED = (0xB3, 0x26, 0x1E, 0xFF)  # --accent in certfree.css
WHITE = (0xFF, 0xFF, 0xFF, 0xFF)
CLEAR = (0, 0, 0, 0)
TARGET = Path(__file__).resolve().parents[1] / "src/certfree/web/static/favicon.ico"


def _pixel(x: int, y: int) -> tuple[int, int, int, int]:
    if min(x, y, SIZE - 1 - x, SIZE - 1 - y) < 2:  # a clear margin
        return CLEAR
    # A tick: the short stroke down to (13, 22), the long one up to (25, 9), 3 px wide.
    short = 8 <= x <= 13 and abs((y - 16) - (x - 8)) <= 1.5
    long = 13 <= x <= 25 and abs((y - 22) + (x - 13) * 13 / 12) <= 1.8
    return WHITE if short or long else RED


def _png() -> bytes:
    raw = b"".join(
        b"\x00" + b"".join(bytes(_pixel(x, y)) for x in range(SIZE)) for y in range(SIZE)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    image = _png()
    # ICONDIR (reserved, type 1 = icon, one image) and its ICONDIRENTRY.
    directory = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(image), 6 + 16)
    TARGET.write_bytes(directory + entry + image)


if __name__ == "__main__":
    main()
