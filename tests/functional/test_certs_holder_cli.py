"""Holder side on the command line: claiming a backfilled certificate, the certificate-use log.

At the desk the clerk binds the public key ``wallet keygen`` printed (``certs claim``); at home
the holder claims over HTTP with their own token (``wallet claim``, a real uvicorn node). Both
end with a credential the wallet accepts as bound to its key and can show.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from certfree import certs
from certfree.app import create_app
from certfree.certs.issuance import seal_certificate
from certfree.cli import app
from certfree.crypto import KeyStore, parse_sd_jwt
from certfree.settings import Settings
from certfree.storage import Database
from factories.certificates import ELDERLY_CARD, NOW, example_face
from helpers.cli import node_env
from helpers.livenode import serving

# Certificates are issued by the demo province's department nodes, registered first.
pytestmark = pytest.mark.usefixtures("demo_registry")

runner = CliRunner()
HOLDER = "370102195803150139"  # the elderly card's catalogue example
HOTEL = "https://hotel.example.cn"
STRANGER = "11010519491231002X"


def _env(settings: Settings, tmp_path: Path) -> dict[str, str]:
    return {**node_env(settings), "CERTFREE_WALLET": str(tmp_path / "wallet")}


@pytest.fixture
def paper_era(db: Database, keys: KeyStore) -> str:
    kind = certs.cert_type(ELDERLY_CARD)
    with db.session() as session:
        row = seal_certificate(
            session, keys, kind=kind, issuer=certs.resolve_issuer(session, kind, None),
            holder_id=HOLDER, face=example_face(ELDERLY_CARD), holder_jwk=None,
            validity=certs.Validity(dt.date(2018, 6, 1), None), moment=NOW,
            base_url=certs.DEFAULT_BASE_URL,
        )  # fmt: skip
        return row.identifier


@pytest.fixture
def key_files(settings: Settings, tmp_path: Path) -> tuple[Path, Path]:
    """(private key file, public JWK file) made by ``wallet keygen``."""
    private, public = tmp_path / "me.jwk", tmp_path / "me.pub.jwk"
    made = runner.invoke(
        app, ["wallet", "keygen", "--out", str(private)], env=_env(settings, tmp_path)
    )
    assert made.exit_code == 0, made.output
    public.write_text(made.stdout, encoding="utf-8")
    return private, public


def test_a_clerk_binds_the_key_the_wallet_printed(
    settings: Settings, tmp_path: Path, paper_era: str, key_files: tuple[Path, Path]
) -> None:
    env = _env(settings, tmp_path)
    private, public = key_files
    claimed = runner.invoke(
        app,
        ["certs", "claim", paper_era, "--holder-key", str(public), "--holder", HOLDER],
        env=env,
    )
    assert claimed.exit_code == 0, claimed.output
    assert "已认领" in claimed.stderr
    assert f"原版本 {paper_era} 已注销" in claimed.stderr
    credential = claimed.stdout.strip()
    assert parse_sd_jwt(credential).payload["cnf"]["jwk"]["kty"] == "EC"
    (tmp_path / "card.sd-jwt").write_text(credential, encoding="ascii")

    added = runner.invoke(
        app, ["wallet", "add", str(tmp_path / "card.sd-jwt"), "--key", str(private)], env=env
    )
    assert added.exit_code == 0, added.output
    shown = runner.invoke(
        app,
        ["wallet", "present", str(tmp_path / "card.sd-jwt"), "--key", str(private),
         "--disclose", "age_over_60", "--audience", HOTEL, "--nonce", "n-1"],
        env=env,
    )  # fmt: skip
    assert shown.exit_code == 0, shown.output

    again = runner.invoke(
        app,
        ["certs", "claim", paper_era, "--holder-key", str(public), "--holder", HOLDER],
        env=env,
    )
    assert again.exit_code == 1
    assert "已换发为" in again.stderr


def test_the_clerk_cannot_bind_a_private_key_or_another_persons_card(
    settings: Settings, tmp_path: Path, paper_era: str, key_files: tuple[Path, Path]
) -> None:
    env = _env(settings, tmp_path)
    private, public = key_files
    leaked = runner.invoke(
        app,
        ["certs", "claim", paper_era, "--holder-key", str(private), "--holder", HOLDER],
        env=env,
    )
    assert leaked.exit_code == 1
    assert "私钥" in leaked.stderr
    stranger = runner.invoke(
        app,
        [
            "certs",
            "claim",
            paper_era,
            "--holder-key",
            str(public),
            "--holder",
            "11010519491231002X",
        ],
        env=env,
    )
    assert stranger.exit_code == 1
    assert f"不属于 {STRANGER}" in stranger.stderr


def test_the_holder_claims_from_the_wallet_over_http(
    settings: Settings, tmp_path: Path, paper_era: str, key_files: tuple[Path, Path]
) -> None:
    private, _ = key_files
    node_app = create_app(settings)
    token = node_app.state.node.tokens.issue("applicant", HOLDER)
    env = _env(settings, tmp_path) | {"MY_TOKEN": token}
    with serving(node_app) as base:
        claimed = runner.invoke(
            app,
            ["wallet", "claim", paper_era, "--url", base, "--token-env", "MY_TOKEN",
             "--key", str(private)],
            env=env,
        )  # fmt: skip
        assert claimed.exit_code == 0, claimed.output
        again = runner.invoke(
            app,
            ["wallet", "claim", paper_era, "--url", base, "--token-env", "MY_TOKEN",
             "--key", str(private)],
            env=env,
        )  # fmt: skip
    assert again.exit_code == 1
    assert "HTTP 409" in again.stderr
    listed = runner.invoke(app, ["wallet", "list", "--json"], env=env)
    (held,) = json.loads(listed.stdout)
    assert held["identifier"] != paper_era
    assert held["identifier"].split(".")[-2] == "002"  # version 2 of the same serial
    assert held["identifier"].split(".")[-3] == paper_era.split(".")[-3]


def test_the_use_log_shows_who_verified_what_in_beijing_time(
    db: Database, keys: KeyStore, settings: Settings, tmp_path: Path
) -> None:
    from certfree.crypto import Alg, generate_signer, present_sd_jwt  # noqa: PLC0415
    from factories.certificates import issue_example  # noqa: PLC0415

    holder = generate_signer(Alg.ES256)
    with db.session() as session:
        issued = issue_example(session, keys, ELDERLY_CARD, holder.public_jwk())
    shown = present_sd_jwt(issued.credential, ["name"], holder, audience=HOTEL, nonce="n-2")
    context = certs.UseContext(
        verifier="front-desk-3",
        verifier_org="如家酒店泉城路店",
        audience=HOTEL,
        purpose="入住登记",
        channel=certs.UseChannel.VERIFICATION,
    )
    with db.session() as session:
        assert certs.verify_and_record(session, keys, shown, context, nonce="n-2").valid
        (use,) = certs.uses_of_holder(session, HOLDER)
        beijing = use.used_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    env = _env(settings, tmp_path)

    listed = runner.invoke(app, ["certs", "uses", "--holder", HOLDER, "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    (record,) = json.loads(listed.stdout)
    assert record["used_at"] == beijing.isoformat(timespec="seconds")
    assert record["used_at"].endswith("+08:00")
    assert (record["certificate_id"], record["verifier_org"]) == (
        issued.identifier,
        "如家酒店泉城路店",
    )
    assert "name" in record["disclosed"]
    assert "姓名" in record["disclosed_labels"]
    assert record["valid"] is True
    assert "王建国" not in listed.stdout  # names of items, never their values

    table = runner.invoke(app, ["certs", "uses", "--holder", HOLDER], env=env)
    assert table.exit_code == 0, table.output
    assert beijing.strftime("%Y-%m-%d %H:%M:%S") in table.stdout
    for shown_text in (
        "老年人优待证",
        "如家酒店泉城路店（front-desk-3）",
        "亮证核验",
        "姓名",
        "通过",
    ):
        assert shown_text in table.stdout

    nobody = runner.invoke(app, ["certs", "uses", "--holder", STRANGER], env=env)
    assert nobody.exit_code == 0
    assert "没有用证记录" in nobody.stdout
