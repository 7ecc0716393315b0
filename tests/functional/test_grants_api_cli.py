"""``certfree grants`` and ``certfree consent`` through Typer's runner, at the desk."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from certfree.cli import app
from factories.databases import migrated_database_url

runner = CliRunner()
MARRIAGE = "371A0101000000-370100000000-000-113701000100000206-1-00"
APPLICANT = "11010519491231002X"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with migrated_database_url(tmp_path) as url:
        yield {"CERTFREE_DATABASE_URL": url, "CERTFREE_NODE_CODE": "370100"}


def test_grants_add_list_revoke_and_demo(env: dict[str, str]) -> None:
    added = runner.invoke(
        app,
        ["grants", "add", "--consumer", "370200", "--provider", "370100-ZR",
         "--question", "owns_property", "--service-item", MARRIAGE, "--purpose", "核验房产",
         "--valid-days", "30", "--json"],
        env=env,
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    grant = json.loads(added.stdout)
    assert grant["data_items"] == ["property_ownership"]  # the core item only, by default
    assert grant["valid_to"] is not None

    bad = runner.invoke(
        app,
        ["grants", "add", "--consumer", "370200", "--provider", "370100-ZR",
         "--question", "owns_property", "--service-item", MARRIAGE, "--purpose", "p",
         "--data-item", "marital_status"],
        env=env,
    )  # fmt: skip
    assert bad.exit_code == 1
    assert "marital_status" in bad.output

    demo = runner.invoke(
        app, ["grants", "demo", "--consumer", "370200", "--provider", "370100-MZ"], env=env
    )
    assert demo.exit_code == 0, demo.output
    # marital_status for marriage registration and for real-estate transfer
    assert "新增演示授权 2 项" in demo.output

    revoked = runner.invoke(
        app, ["grants", "revoke", str(grant["id"]), "--reason", "到期"], env=env
    )
    assert revoked.exit_code == 0, revoked.output
    assert "已撤销" in revoked.output
    listed = runner.invoke(app, ["grants", "list", "--active-only"], env=env)
    assert "共 2 项授权" in listed.output
    assert "marital_status" in listed.output
    again = runner.invoke(app, ["grants", "revoke", str(grant["id"])], env=env)
    assert again.exit_code == 1
    assert "无需再次撤销" in again.output


def test_consent_at_the_desk(env: dict[str, str]) -> None:
    loaded = runner.invoke(app, ["procedures", "load-demo", "--actor", "tester"], env=env)
    assert loaded.exit_code == 0, loaded.output
    shown = runner.invoke(app, ["consent", "preview", MARRIAGE], env=env)
    assert shown.exit_code == 0, shown.output
    assert "向民政部门核验「您的婚姻状况」" in shown.output

    given = runner.invoke(app, ["consent", "give", APPLICANT, MARRIAGE, "--json"], env=env)
    assert given.exit_code == 0, given.output
    consent = json.loads(given.stdout)
    assert consent["consumer"] == "370100"
    assert consent["questions"] == ["marital_status"]

    revoked = runner.invoke(app, ["consent", "revoke", consent["id"]], env=env)
    assert revoked.exit_code == 0, revoked.output
    listed = runner.invoke(app, ["consent", "list", APPLICANT], env=env)
    assert "共 1 项同意" in listed.output
    assert "已撤回" in listed.output
    wrong = runner.invoke(app, ["consent", "give", "110105194912310021", MARRIAGE], env=env)
    assert wrong.exit_code == 1
    assert "身份证号码有误" in wrong.output
