"""Graded sharing on the command line: ``catalog request --legal-basis``, ``catalog approve
--level --org``, ``catalog override`` and ``grants add --level`` / ``grants approve``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from certfree import catalog
from certfree.cli import app
from certfree.storage import Database
from factories.databases import migrated_database_url

runner = CliRunner()
POLICE, CIVIL = "370100-GA", "370100-MZ"
MARRIAGE = "371A0101000000-370100000000-000-113701000100000206-1-00"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with migrated_database_url(tmp_path) as url:
        yield {"CERTFREE_DATABASE_URL": url, "CERTFREE_NODE_CODE": "370100"}


def setup(env: dict[str, str]) -> tuple[str, int]:
    database = Database(env["CERTFREE_DATABASE_URL"])
    try:
        with database.session() as session:
            code = catalog.create_resource(
                session,
                catalog.validate_resource({
                    "class_code": "101", "name": "户籍人口信息", "abstract": "户籍登记",
                    "provider": "济南市公安局", "provider_code": POLICE, "format": "数据库",
                    "items": [{"name": "公民身份号码"}, {"name": "人口安全底数",
                                                      "classification": "core"}],
                    "share_type": "unconditional", "share_method": "api",
                    "open_type": "not_open", "update_cycle": "realtime",
                    "released": "2024-03-01",
                }),
            ).code  # fmt: skip
            demand = catalog.register_demand(
                session,
                {"department": "济南市民政局", "department_code": CIVIL, "scenario": "婚姻登记",
                 "text": "户籍", "items": ["公民身份号码"], "purpose": "核验户籍",
                 "legal_basis": "《婚姻登记条例》第五条"},
            ).id  # fmt: skip
    finally:
        database.dispose()
    return code, demand


def test_a_graded_request_is_approved_at_the_level_its_grade_calls_for(
    env: dict[str, str],
) -> None:
    code, demand = setup(env)
    ask = ["catalog", "request", "--demand", str(demand), "--resource", code,
           "--item", "公民身份号码"]  # fmt: skip
    missing = runner.invoke(app, ask, env=env)
    assert missing.exit_code == 1
    assert "legal_basis" in missing.output
    made = runner.invoke(
        app, [*ask, "--legal-basis", "statute", "--legal-basis-text", "《婚姻登记条例》第五条",
              "--json"], env=env,
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    grant = json.loads(made.stdout)
    assert (grant["status"], grant["grade"]) == ("pending", 3)
    as_bureau = runner.invoke(
        app, ["catalog", "approve", str(grant["id"]), "--level", "bureau"], env=env
    )
    assert as_bureau.exit_code == 1
    assert "提供部门" in as_bureau.output
    approved = runner.invoke(
        app,
        ["catalog", "approve", str(grant["id"]), "--level", "department", "--org", POLICE,
         "--json"],
        env=env,
    )  # fmt: skip
    assert approved.exit_code == 0, approved.output
    assert json.loads(approved.stdout)["status"] == "active"


def test_core_data_reopens_only_with_the_bureaus_document(env: dict[str, str]) -> None:
    code, demand = setup(env)
    made = runner.invoke(
        app, ["catalog", "request", "--demand", str(demand), "--resource", code, "--item",
              "人口安全底数", "--legal-basis", "consent", "--json"], env=env,
    )  # fmt: skip
    grant = json.loads(made.stdout)
    assert grant["status"] == "refused"
    reopened = runner.invoke(
        app, ["catalog", "override", str(grant["id"]), "--document", "鲁数发〔2026〕1号",
              "--json"], env=env,
    )  # fmt: skip
    assert reopened.exit_code == 0, reopened.output
    assert json.loads(reopened.stdout)["status"] == "pending"


def test_a_bureau_grant_of_a_sensitive_question_waits_for_the_provider(
    env: dict[str, str],
) -> None:
    added = runner.invoke(
        app,
        ["grants", "add", "--consumer", "370200", "--provider", CIVIL, "--question",
         "marital_status", "--service-item", MARRIAGE, "--purpose", "核验婚姻状况",
         "--level", "bureau", "--json"],
        env=env,
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    grant = json.loads(added.stdout)
    assert (grant["status"], grant["legal_basis"]) == ("pending", "consent")
    approved = runner.invoke(app, ["grants", "approve", str(grant["id"]), "--json"], env=env)
    assert approved.exit_code == 0, approved.output
    assert json.loads(approved.stdout)["status"] == "active"
