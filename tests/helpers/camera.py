"""A browser whose camera films a QR code: Chromium's fake capture device playing a one-frame
video, for the pages that read QR codes with ``getUserMedia`` (verifier, wallet)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import segno
from playwright.sync_api import Browser

from helpers.webpage import CHROMIUM, CHROMIUM_ARGS


def qr_video(text: str, path: Path) -> Path:
    """A one-frame YUV4MPEG2 video of ``text`` as a QR code, written to ``path``.

    Y4M (as ffmpeg and Chromium read it): a header line, then per frame ``FRAME`` and the
    4:2:0 planes; a black-and-white picture is its luma alone, the chroma planes mid-grey.
    """
    code = segno.make(text, error="L", mode="byte", boost_error=True)
    rows = [bytes(0 if dark else 255 for dark in row) for row in code.matrix_iter(scale=6)]
    side = len(rows) + len(rows) % 2  # 4:2:0 needs even sides
    luma = b"".join(row.ljust(side, b"\xff") for row in rows).ljust(side * side, b"\xff")
    chroma = bytes([128]) * (side // 2) ** 2
    header = f"YUV4MPEG2 W{side} H{side} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + b"FRAME\n" + luma + chroma + chroma)
    return path


@contextmanager
def filming(browser: Browser, text: str, directory: Path) -> Iterator[Browser]:
    """A second Chromium of ``browser``'s Playwright whose camera films ``text`` as a QR code,
    allowed without asking."""
    video = qr_video(text, directory / "camera.y4m")
    launched = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        yield launched
    finally:
        launched.close()
