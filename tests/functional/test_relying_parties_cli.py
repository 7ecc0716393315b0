"""The interface outside checks drive, verifier side: ``certfree relying-parties add|list`` and
``certfree wallet present --audience <a registered verifier>`` refusing to disclose a claim
its scenario does not allow (exit 1, the rule printed); a signed request read offline from
the saved register."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Protocol

import pytest
from typer.testing import CliRunner

from certfree.cli import app
from certfree.crypto import KeyStore, parse_sd_jwt
from certfree.identifiers import make_uscc
from certfree.settings import Settings
from certfree.storage import Database
from factories.certificates import ID_CARD
from helpers.cli import node_env

pytestmark = pytest.mark.usefixtures("demo_registry")

runner = CliRunner()


class Cli(Protocol):
    """``certfree ARGS`` on this node; its stdout and stderr, the exit code asserted."""

    def __call__(self, *args: str, code: int = 0) -> tuple[str, str]: ...


HOTEL = make_uscc("9", "1", "370100", "MA3C8Y6K")


@pytest.fixture
def cli(settings: Settings, db: Database, tmp_path: Path) -> Cli:
    env = {**node_env(settings), "CERTFREE_WALLET": str(tmp_path / "wallet")}

    def certfree(*args: str, code: int = 0) -> tuple[str, str]:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == code, result.output
        return result.stdout, result.stderr

    return certfree


@pytest.fixture
def id_card(cli: Cli, tmp_path: Path) -> str:
    """A resident ID card in the holder's wallet (its id there)."""
    public_file = tmp_path / "me.pub.jwk"
    public, _ = cli("wallet", "keygen")  # the wallet's own key, which present uses
    public_file.write_text(public, encoding="utf-8")
    face, hint = cli("certs", "template", "--type", ID_CARD)
    (tmp_path / "face.json").write_text(face, encoding="utf-8")
    holder = re.search(r"（--holder）：(\w+)", hint)
    assert holder is not None
    credential, _ = cli(
        "certs", "issue", "--type", ID_CARD, "--holder", holder.group(1),
        "--data", str(tmp_path / "face.json"), "--holder-key", str(public_file),
    )  # fmt: skip
    (tmp_path / "card.sd-jwt").write_text(credential, encoding="ascii")
    cli("wallet", "add", str(tmp_path / "card.sd-jwt"))
    (held,) = json.loads(cli("wallet", "list", "--json")[0])
    return str(held["id"])


def test_add_and_list(cli: Cli) -> None:
    out, _ = cli(
        "relying-parties", "add", "--org", HOTEL, "--scenario", "hotel_check_in",
        "--claims", "age_over_18,name", "--name", "泉城宾馆",
    )  # fmt: skip
    added = json.loads(out)
    assert added["kind"] == "hotel"  # read from the scenario's name
    assert added["jwk"]["crv"] == "P-256"  # a request key the node keeps for it
    (listed,) = json.loads(cli("relying-parties", "list", "--json")[0])
    assert listed["uscc"] == HOTEL
    assert listed["identifier"] == f"certfree:verifier:{HOTEL}"
    assert listed["scenarios"][0]["claims"] == ["age_over_18", "name"]
    shown, _ = cli("--lang", "en", "relying-parties", "list")
    assert "hotel_check_in" in shown
    assert "age_over_18, name" in shown


def test_a_claim_no_certificate_has_is_refused_by_name(cli: Cli) -> None:
    _, err = cli(
        "--lang", "en", "relying-parties", "add", "--org", HOTEL, "--scenario", "hotel_check_in",
        "--claims", "age_over_18,shoe_size", "--vct", ID_CARD, code=1,
    )  # fmt: skip
    assert "shoe_size" in err
    assert json.loads(cli("relying-parties", "list", "--json")[0]) == []


def test_the_wallet_refuses_a_claim_beyond_the_scenario(cli: Cli, id_card: str) -> None:
    cli(
        "relying-parties", "add", "--org", HOTEL, "--scenario", "hotel_check_in",
        "--claims", "age_over_18,name",
    )  # fmt: skip
    _, err = cli(
        "wallet", "present", id_card, "--audience", HOTEL, "--nonce", "n-1",
        "--disclose", "birth_date", code=1,
    )  # fmt: skip
    assert "rp.claims-beyond-scenario" in err
    assert "hotel_check_in" in err
    assert "age_over_18" in err
    # The same with its full identifier as the audience; and what the scenario allows goes.
    audience = f"certfree:verifier:{HOTEL}"
    _, err = cli("wallet", "present", id_card, "--audience", audience, "--nonce", "n-2",
                 "--disclose", "name,birth_date", code=1)  # fmt: skip
    assert "rp.claims-beyond-scenario" in err
    shown, _ = cli("wallet", "present", id_card, "--audience", audience, "--nonce", "n-3",
                   "--disclose", "age_over_18")  # fmt: skip
    assert [d.name for d in parse_sd_jwt(shown.strip()).disclosures] == ["age_over_18"]
    # An audience that is not registered is held to nothing but the holder's choice.
    cli("wallet", "present", id_card, "--audience", "https://gate.example", "--nonce", "n-4",
        "--disclose", "name,birth_date")  # fmt: skip


def test_a_signed_request_is_checked_against_the_saved_register(
    cli: Cli, id_card: str, tmp_path: Path, keys: KeyStore
) -> None:
    cli(
        "relying-parties", "add", "--org", HOTEL, "--scenario", "hotel_check_in",
        "--claims", "age_over_18,name",
    )  # fmt: skip
    register, jwks = tmp_path / "rp.jwt", tmp_path / "province.jwks.json"
    cli("relying-parties", "export", "--out", str(register), "--jwks-out", str(jwks))
    request = cli("relying-parties", "request", "--org", HOTEL, "--scenario", "hotel_check_in")[0]
    assert request.startswith("certfree:request?jwt=")
    offline = ("--register", str(register), "--province-jwks", str(jwks))
    shown, _ = cli("wallet", "present", id_card, "--request", request.strip(), *offline)
    disclosed = {d.name for d in parse_sd_jwt(shown.strip()).disclosures}
    assert {"age_over_18", "name"} <= disclosed
    assert "birth_date" not in disclosed
    # Asked in the hotel's name without its signature: refused.
    unsigned = f"certfree:request?aud=certfree:verifier:{HOTEL}&nonce=n9&claims=name"
    _, err = cli("wallet", "present", id_card, "--request", unsigned, *offline, code=1)
    assert "rp.request-unsigned" in err
    # Choosing more than the request's scenario allows: refused too.
    _, err = cli("wallet", "present", id_card, "--request", request.strip(), "--disclose",
                 "name,birth_date", *offline, code=1)  # fmt: skip
    assert "rp.claims-beyond-scenario" in err
    # A register signed by another key than the province's is not believed.
    other = tmp_path / "other.jwks.json"
    other.write_text(json.dumps({"keys": [json.loads(cli("wallet", "keygen", "--out",
                     str(tmp_path / "x.jwk"))[0])]}), encoding="utf-8")  # fmt: skip
    cli("wallet", "present", id_card, "--request", request.strip(), "--register", str(register),
        "--province-jwks", str(other), code=1)  # fmt: skip


def test_only_the_three_options_of_the_interface_are_needed(cli: Cli, id_card: str) -> None:
    org = "91370100MA94HT0175"
    shown, _ = cli("relying-parties", "add", "--org", org, "--scenario", "check_in",
                   "--claims", "age_over_18")  # fmt: skip
    added = json.loads(shown)
    assert (added["name"], added["kind"]) == (org, "other")
    _, err = cli("wallet", "present", id_card, "--audience", org, "--nonce", "n", "--disclose",
                 "name", code=1)  # fmt: skip
    assert "rp.claims-beyond-scenario" in err
