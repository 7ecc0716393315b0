"""Showing a presentation as a QR code: sized to scan from a phone screen, read back exactly."""

from __future__ import annotations

import random
import string
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from certfree.crypto import KeyStore, parse_sd_jwt
from certfree.errors import InvalidInput
from certfree.settings import Settings
from certfree.storage import Database
from certfree.wallet import (
    HolderKey,
    QrPayloadTooLarge,
    payload_size_check,
    present,
    render_qr,
)
from factories.certificates import ELDERLY_CARD, issue_example

ReadQr = Callable[[bytes], list[str]]
# What an SD-JWT presentation is made of: base64url, "." between JWS parts, "~" between parts.
SD_JWT_ALPHABET = string.ascii_letters + string.digits + "-_.~"


def presentation_like(length: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(SD_JWT_ALPHABET) for _ in range(length))


def test_1400_characters_fit_version_27_level_l(read_qr: ReadQr) -> None:
    payload = presentation_like(1400)

    plan = payload_size_check(payload)

    assert (plan.version, plan.error, plan.modules) == (27, "L", 125)
    assert plan.payload_bytes == 1400
    assert plan.capacity_bytes == 1465
    assert plan.scannable
    assert read_qr(render_qr(payload, "png")) == [payload]


@pytest.mark.usefixtures("demo_registry")  # issues as a registered department node
def test_elderly_card_age_over_60_fits_version_27_from_a_phone_screen(
    db: Database, settings: Settings, read_qr: ReadQr
) -> None:
    # The scenic-spot gate case — a certificate as issuance seals it, shown with
    # only age_over_60, a verifier's URL as audience and a 128-bit nonce (22 characters).
    holder = HolderKey.generate()
    store = KeyStore(settings.key_dir, settings.key_passphrase)
    with db.session() as session:
        issued = issue_example(session, store, ELDERLY_CARD, holder.public_jwk())
    shown = present(
        issued.credential,
        holder,
        ["age_over_60"],
        audience="https://gate.taishan.example/verifier",
        nonce="n-Zq3v8RkLw0Yb6Tn1Xc4Pd",
    )
    assert [d.name for d in parse_sd_jwt(shown).disclosures] == ["age_over_60"]

    plan = payload_size_check(shown, max_version=27)

    assert plan.version <= 27
    assert plan.scannable
    assert read_qr(render_qr(shown, "png", max_version=27)) == [shown]


@pytest.mark.usefixtures("demo_registry")  # issues as a registered department node
def test_a_real_presentation_reads_back_exactly(
    holder: HolderKey, credential: str, read_qr: ReadQr, tmp_path: Path
) -> None:
    shown = present(
        credential,
        holder,
        ["name", "age_over_60"],
        audience="https://gate.taishan.example/verifier",
        nonce="n-0c5b7f2e9a41",
    )
    assert 1200 <= len(shown) <= 1700  # the presentation size the QR design assumes

    target = tmp_path / "show.png"
    image = render_qr(shown, target)

    assert target.read_bytes() == image
    assert read_qr(image) == [shown]
    assert payload_size_check(shown).version <= 30


def test_svg_is_an_svg_document(tmp_path: Path) -> None:
    payload = presentation_like(1400)
    image = render_qr(payload, tmp_path / "show.svg")
    root = ET.fromstring(image)  # noqa: S314 — our own output, not untrusted XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    # 125 modules plus a 4-module quiet zone each side, 8 pixels a module
    assert root.get("width") == str((125 + 8) * 8)
    assert render_qr(payload, "svg") == image


def test_largest_symbol_takes_2953_bytes_and_no_more() -> None:
    plan = payload_size_check(presentation_like(2953))
    assert (plan.version, plan.error, plan.modules) == (40, "L", 177)

    with pytest.raises(QrPayloadTooLarge, match="2954 字节，超过二维码最大容量 2953 字节") as info:
        payload_size_check(presentation_like(2954))
    assert info.value.slug == "qr-payload-too-large"
    assert "短码" in info.value.message  # says what to do instead


def test_version_limit_is_enforced_with_its_reason() -> None:
    with pytest.raises(QrPayloadTooLarge, match=r"需要 27-L 版本二维码.*超过上限版本 25"):
        payload_size_check(presentation_like(1400), max_version=25)
    with pytest.raises(QrPayloadTooLarge):
        render_qr(presentation_like(1400), "png", max_version=25)


def test_error_level_is_raised_when_it_costs_no_version() -> None:
    plan = payload_size_check("short")
    assert (plan.version, plan.error) == (1, "H")


def test_empty_payload_and_unknown_format_are_refused(tmp_path: Path) -> None:
    with pytest.raises(QrPayloadTooLarge, match="为空"):
        payload_size_check("")
    with pytest.raises(InvalidInput, match="不支持"):
        render_qr("abc", tmp_path / "show.gif")
    assert not (tmp_path / "show.gif").exists()
