"""``certfree procedures`` through Typer's runner, against the database named by the environment."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from certfree.cli import app
from certfree.demo import build_demo_province, grant_demo_departments
from certfree.population import Person
from certfree.storage import Database
from factories.databases import migrated_database_url

runner = CliRunner()
ELDERLY_CARD = "371C0401000000-370100000000-000-11370100010000063K-1-00"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with migrated_database_url(tmp_path) as url:
        yield {"CERTFREE_DATABASE_URL": url}


def test_load_list_show_and_routes(env: dict[str, str]) -> None:
    loaded = runner.invoke(app, ["procedures", "load-demo", "--actor", "tester"], env=env)
    assert loaded.exit_code == 0, loaded.output
    assert "已载入 6 个演示政务服务事项" in loaded.output

    listed = runner.invoke(app, ["procedures", "list", "--json", "-q", "优待证"], env=env)
    assert listed.exit_code == 0, listed.output
    assert [i["code"] for i in json.loads(listed.stdout)["items"]] == [ELDERLY_CARD]

    shown = runner.invoke(app, ["procedures", "show", ELDERLY_CARD, "--json"], env=env)
    assert shown.exit_code == 0, shown.output
    item = json.loads(shown.stdout)
    assert item["name"] == "老年人优待证办理"
    assert item["requirements"][0]["alternatives"][1][0]["name"] == "老年人年龄证明"
    table = runner.invoke(app, ["procedures", "show", ELDERLY_CARD], env=env)
    assert "老年人优待证办理" in table.output

    db = Database(env["CERTFREE_DATABASE_URL"])
    build_demo_province(db, citizens=1000, firms=50, seed=1)
    with db.session() as session:
        old = session.scalars(
            select(Person.id_number).where(Person.birth_date <= dt.date(1950, 1, 1)).limit(1)
        ).one()
        # The province node (the default CERTFREE_NODE_CODE) holds the demo grants and, with
        # CERTFREE_HOSTED_DEPARTMENTS=*, answers for the demo departments itself.
        grant_demo_departments(session, "370000")
    db.dispose()
    command = ["procedures", "routes", ELDERLY_CARD, "--applicant", old]
    ungranted = runner.invoke(app, [*command, "--json"], env=env)
    assert ungranted.exit_code == 0, ungranted.output
    assert [r["way"] for r in json.loads(ungranted.stdout)["requirements"]] == [None, None]
    hosted = {**env, "CERTFREE_HOSTED_DEPARTMENTS": "*"}
    routed = runner.invoke(app, [*command, "--json"], env=hosted)
    assert routed.exit_code == 0, routed.output
    report = json.loads(routed.stdout)
    assert [r["way"] for r in report["requirements"]] == ["data_sharing", "data_sharing"]
    text = runner.invoke(app, command, env=hosted)
    assert "全程无需纸质证明" in text.output
    english = runner.invoke(app, ["--lang", "en", *command], env=hosted)
    words = " ".join(english.output.split())  # as printed, wrapped to the terminal's width
    assert "Data sharing: can be checked with 济南市公安局 by the question age_at_least" in words
    bad = runner.invoke(app, [*command, "--party", "spouse"], env=hosted)
    assert bad.exit_code == 1
    assert "当事人应写作 角色=证件号码" in bad.output


def test_import_reports_warnings_and_refuses_bad_rows(env: dict[str, str], tmp_path: Path) -> None:
    good = tmp_path / "ok.csv"
    good.write_text(
        "事项编码,事项名称,实施机构,实施机构统一社会信用代码\n"
        "511A0138000000-511602000000-000-115113010833722043-1-00,延缓入学审批,区教科体局,\n",
        encoding="gbk",
    )
    done = runner.invoke(app, ["procedures", "import", str(good)], env=env)
    assert done.exit_code == 0, done.output
    assert "新增 1 项" in done.output
    assert "第 2 行「实施机构统一社会信用代码」：未填写实施机构统一社会信用代码" in done.output

    bad = tmp_path / "bad.csv"
    bad.write_text("事项编码,事项名称,实施机构\nA B,名称,某局\n", encoding="utf-8")
    refused = runner.invoke(app, ["procedures", "import", str(bad)], env=env)
    assert refused.exit_code == 1
    assert "第 2 行「事项编码」" in refused.output
    assert "未导入任何内容" in refused.output

    missing = runner.invoke(app, ["procedures", "show", "NOPE-1"], env=env)
    assert missing.exit_code == 1
    assert "没有编码为 NOPE-1 的政务服务事项" in missing.output
