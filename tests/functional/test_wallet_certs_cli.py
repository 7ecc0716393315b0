"""The interface outside checks drive, holder side: keygen → certs issue → wallet add → present.

The holder's key is made by ``certfree wallet keygen`` and only its public half goes to the
issuing department; the presentation made by ``certfree wallet present`` verifies with the
issuer's seal from the node's key store and with the reference implementation (PyPI sd-jwt).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jwcrypto.jwk import JWK
from sd_jwt.verifier import SDJWTVerifier
from typer.testing import CliRunner

from certfree.cli import app
from certfree.crypto import KeyStore, parse_sd_jwt, verify_sd_jwt
from certfree.settings import Settings
from certfree.storage import Database
from factories.certificates import ELDERLY_CARD

# Certificates are issued by the demo province's department nodes, registered first.
pytestmark = pytest.mark.usefixtures("demo_registry")

runner = CliRunner()
GATE = "https://gate.taishan.example"


def test_elderly_card_shown_as_over_60_only(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    env = {
        "CERTFREE_DATABASE_URL": settings.database_url,
        "CERTFREE_KEY_DIR": str(settings.key_dir),
        "CERTFREE_KEY_PASSPHRASE": settings.key_passphrase,
        "CERTFREE_WALLET": str(tmp_path / "wallet"),
    }

    def certfree(*args: str) -> tuple[str, str]:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result.stdout, result.stderr

    key_file, public_file = tmp_path / "me.jwk", tmp_path / "me.pub.jwk"
    public, _ = certfree("wallet", "keygen", "--out", str(key_file))
    public_file.write_text(public, encoding="utf-8")
    face, hint = certfree("certs", "template", "--type", ELDERLY_CARD)
    (tmp_path / "face.json").write_text(face, encoding="utf-8")
    holder = re.search(r"（--holder）：(\w+)", hint)
    assert holder is not None
    credential, _ = certfree(
        "certs", "issue", "--type", ELDERLY_CARD, "--holder", holder.group(1),
        "--data", str(tmp_path / "face.json"), "--holder-key", str(public_file),
    )  # fmt: skip
    (tmp_path / "card.sd-jwt").write_text(credential, encoding="ascii")

    certfree("wallet", "add", str(tmp_path / "card.sd-jwt"), "--key", str(key_file))
    (held,) = json.loads(certfree("wallet", "list", "--json")[0])
    assert held["vct"] == ELDERLY_CARD
    assert held["type_name"] == "老年人优待证"
    disclosed = {d.name: d.value for d in parse_sd_jwt(credential).disclosures}
    assert held["identifier"] == disclosed["certificate_id"]  # selectively disclosable
    assert "age_over_60" in held["disclosable"]

    shown, _ = certfree(
        "wallet", "present", held["id"], "--key", str(key_file),
        "--disclose", "age_over_60", "--audience", GATE, "--nonce", "n-0042",
    )  # fmt: skip
    shown = shown.strip()
    assert [d.name for d in parse_sd_jwt(shown).disclosures] == ["age_over_60"]

    keys = KeyStore(settings.key_dir, settings.key_passphrase)

    def issuer_key(header: dict[str, Any], payload: dict[str, Any]) -> Any:
        return keys.verifier(header["kid"])

    verified = verify_sd_jwt(shown, issuer_key, audience=GATE, nonce="n-0042")
    assert verified.disclosed == ("age_over_60",)
    assert verified.claims["age_over_60"] is True
    assert "birth_date" not in verified.claims

    reference = SDJWTVerifier(
        shown,
        lambda iss, header: JWK(**keys.public_jwk(header["kid"])),
        expected_aud=GATE,
        expected_nonce="n-0042",
    ).get_verified_payload()
    assert reference["age_over_60"] is True
