"""A holder shows a certificate (亮证) with the ``certfree`` command, end to end.

Issuer seals a credential to the holder's public key; the holder adds it to the wallet,
presents two fields to a hotel with the hotel's nonce, and the hotel verifies — with
certfree's verifier and with the independent reference implementation (PyPI ``sd-jwt``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from jwcrypto.jwk import JWK
from sd_jwt.verifier import SDJWTVerifier
from typer.testing import CliRunner

from certfree.cli import app
from certfree.crypto import (
    Alg,
    SdJwtInvalid,
    SdJwtReason,
    generate_signer,
    issue_sd_jwt,
    parse_sd_jwt,
    verify_sd_jwt,
)

HOTEL = "https://hotel.example/front-desk"
FACE = {
    "name": "王五",
    "gender": "男",
    "birth_date": "1958-03-02",
    "age_over_60": True,
    "id_number": "370102195803021234",
}


def certfree(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CERTFREE_WALLET", str(tmp_path / "wallet"))
    return tmp_path


def test_holder_shows_two_fields_and_the_hotel_verifies(here: Path) -> None:
    code, out, err = certfree("wallet", "keygen", "--out", "me.jwk")
    assert code == 0, err
    holder_jwk = json.loads(out)

    issuer = generate_signer(Alg.ES256)
    now = int(time.time())
    credential = issue_sd_jwt(
        issuer,
        {
            "iss": "https://certs.sd.gov.cn/issuers/11370000004418820E",
            "vct": "11100000000000000001A",
            "jti": "37000011100000000000120250007",
            "iat": now,
            "exp": now + 86400,
            **FACE,
        },
        selectively_disclosable=list(FACE),
        holder_jwk=holder_jwk,
    )
    Path("credential.txt").write_text(credential, encoding="ascii")

    code, out, err = certfree("wallet", "add", "credential.txt", "--key", "me.jwk")
    assert code == 0, err
    code, out, _ = certfree("wallet", "list", "--json")
    (held,) = json.loads(out)
    assert held["vct"] == "11100000000000000001A"
    assert held["disclosable"] == list(FACE)

    code, out, err = certfree(
        "wallet", "present", "credential.txt", "--key", "me.jwk",
        "--disclose", "name,age_over_60", "--audience", HOTEL, "--nonce", "n-7781",
        "--qr", "show.svg",
    )  # fmt: skip
    assert code == 0, err
    shown = out.strip()
    assert Path("show.svg").read_bytes().startswith(b"<?xml")
    assert "版本" in err

    parsed = parse_sd_jwt(shown)
    assert sorted(d.name or "" for d in parsed.disclosures) == ["age_over_60", "name"]

    def issuer_key(header: dict[str, Any], payload: dict[str, Any]) -> Any:
        return issuer.public_jwk()

    verified = verify_sd_jwt(shown, issuer_key, audience=HOTEL, nonce="n-7781")
    assert verified.claims["name"] == "王五"
    assert "id_number" not in verified.claims
    with pytest.raises(SdJwtInvalid) as refused:
        verify_sd_jwt(shown, issuer_key, audience="https://elsewhere.example", nonce="n-7781")
    assert refused.value.reason is SdJwtReason.KB_WRONG_AUDIENCE

    # The reference implementation agrees (it checks key binding with ES256 only).
    reference = SDJWTVerifier(
        shown,
        lambda iss, header: JWK(**issuer.public_jwk()),
        expected_aud=HOTEL,
        expected_nonce="n-7781",
    ).get_verified_payload()
    assert reference["name"] == "王五"
    assert reference["age_over_60"] is True
    assert "birth_date" not in reference
