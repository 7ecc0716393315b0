"""``certfree certs`` as outside checks drive it: types, template, issue, revoke."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from certfree.cli import app
from certfree.crypto import jwk_thumbprint, parse_sd_jwt
from certfree.identifiers import parse_cert_id
from certfree.settings import Settings
from certfree.storage import Database
from factories.certificates import BUSINESS_LICENCE, ELDERLY_CARD, holder_key
from helpers.cli import node_env

runner = CliRunner()


def _certificate_id(credential: str) -> str:
    """The GB/T 36904 identifier, selectively disclosable in the credential (certs.claims)."""
    disclosed = {d.name: d.value for d in parse_sd_jwt(credential).disclosures}
    return str(disclosed["certificate_id"])


def test_types_json_lists_codes_names_holders_and_fields(settings: Settings) -> None:
    result = runner.invoke(app, ["certs", "types", "--json"], env=node_env(settings))
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert len(listed) >= 20
    elderly = next(t for t in listed if t["code"] == ELDERLY_CARD)
    assert elderly["name"] == "老年人优待证"
    assert elderly["holder_category"] == "person"
    assert "birth_date" in {f["name"] for f in elderly["fields"]}
    plain = runner.invoke(app, ["certs", "types"], env=node_env(settings))
    assert f"{BUSINESS_LICENCE}  营业执照  法人和其他组织  市场监管" in plain.stdout


@pytest.mark.usefixtures("demo_registry")  # issues as a registered department node
def test_template_issues_as_is_then_revoke(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    env = node_env(settings)
    template = runner.invoke(app, ["certs", "template", "--type", BUSINESS_LICENCE], env=env)
    assert template.exit_code == 0, template.output
    face = json.loads(template.stdout)
    assert "持证主体代码（--holder）：91370102MA3C5T8K4B" in template.stderr
    (tmp_path / "face.json").write_text(template.stdout, encoding="utf-8")
    jwk = holder_key()
    (tmp_path / "holder.jwk").write_text(json.dumps(jwk), encoding="utf-8")
    issued = runner.invoke(
        app,
        [
            "certs", "issue", "--type", BUSINESS_LICENCE, "--holder", face["uscc"],
            "--data", str(tmp_path / "face.json"), "--holder-key", str(tmp_path / "holder.jwk"),
        ],
        env=env,
    )  # fmt: skip
    assert issued.exit_code == 0, issued.output
    credential = issued.stdout.strip()
    parsed = parse_sd_jwt(credential)
    assert parsed.payload["vct"] == BUSINESS_LICENCE
    assert jwk_thumbprint(parsed.payload["cnf"]["jwk"]) == jwk_thumbprint(jwk)
    identifier = parse_cert_id(_certificate_id(credential)).value
    assert f"已签发 {identifier}" in issued.stderr

    revoked = runner.invoke(
        app, ["certs", "revoke", identifier, "--reason", "cancelled_by_authority"], env=env
    )
    assert revoked.exit_code == 0, revoked.output
    assert f"已注销 {identifier}（发证机关依法注销）" in revoked.stdout
    listed = runner.invoke(app, ["certs", "list", "--holder", face["uscc"]], env=env)
    assert f"{identifier}  营业执照  第1版  已注销" in listed.stdout
    twice = runner.invoke(app, ["certs", "revoke", identifier, "--reason", "lost"], env=env)
    assert twice.exit_code == 1
    assert "证照已于" in twice.stderr
    assert "注销（发证机关依法注销）" in twice.stderr


def test_bad_face_data_names_the_field(db: Database, settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "face.json").write_text(json.dumps({"name": "王建国"}), encoding="utf-8")
    (tmp_path / "holder.jwk").write_text(json.dumps(holder_key()), encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "certs", "issue", "--type", ELDERLY_CARD, "--holder", "370102195803150139",
            "--data", str(tmp_path / "face.json"), "--holder-key", str(tmp_path / "holder.jwk"),
        ],
        env=node_env(settings),
    )  # fmt: skip
    assert result.exit_code == 1
    assert "性别（sex）为必填项，未提供" in result.stderr
    assert result.stdout == ""


@pytest.mark.usefixtures("demo_registry")  # issues as a registered department node
def test_suspend_resume_and_unknown_reason(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    env = node_env(settings)
    face = runner.invoke(app, ["certs", "template", "--type", ELDERLY_CARD], env=env).stdout
    (tmp_path / "face.json").write_text(face, encoding="utf-8")
    (tmp_path / "holder.jwk").write_text(json.dumps(holder_key()), encoding="utf-8")
    issued = runner.invoke(
        app,
        [
            "certs", "issue", "--type", ELDERLY_CARD, "--holder", "370102195803150139",
            "--data", str(tmp_path / "face.json"), "--holder-key", str(tmp_path / "holder.jwk"),
        ],
        env=env,
    )  # fmt: skip
    identifier = _certificate_id(issued.stdout.strip())
    assert runner.invoke(app, ["certs", "suspend", identifier], env=env).stdout.startswith("已暂停")
    assert runner.invoke(app, ["certs", "resume", identifier], env=env).stdout.startswith("已恢复")
    bad = runner.invoke(app, ["certs", "revoke", identifier, "--reason", "misplaced"], env=env)
    assert bad.exit_code == 1
    assert "未知的注销原因 'misplaced'" in bad.stderr
