"""``certfree catalog`` through Typer's runner: import, match (--json, --batch), demands, gaps."""

from __future__ import annotations

import csv
import fnmatch
import io
import json
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from certfree.cli import app
from certfree.demo.catalog import demo_catalog_files
from certfree.storage import Database, migrate
from conftest import VECTORS
from factories.databases import fresh_database_url

runner = CliRunner()
REAL_DIR = VECTORS / "open_data_catalog"  # the real export of ../shared/data
REAL_FILE = REAL_DIR / "catalog_guiyang_nanning.csv"
ROOT = VECTORS.parent.parent


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A database with the real open-data export imported through the CLI, once."""
    directory = tmp_path_factory.mktemp("cli")
    with fresh_database_url(directory) as url:
        db = Database(url)
        migrate.upgrade(db)
        db.dispose()
        environment = {"CERTFREE_DATABASE_URL": url, "CERTFREE_KEY_DIR": str(directory / "keys")}
        imported = runner.invoke(app, ["catalog", "import", str(REAL_FILE)], env=environment)
        assert imported.exit_code == 0, imported.output
        report = json.loads(imported.stdout)
        assert (report["rows"], report["created"], report["encoding"]) == (3131, 3131, "utf-8")
        yield environment


def test_match_json_lists_ranked_resources(env: dict[str, str]) -> None:
    result = runner.invoke(
        app, ["catalog", "match", "社保经办机构", "--top", "3", "--json"], env=env
    )
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert len(found) == 3
    assert all({"name", "provider", "score", "explanation"} <= set(c) for c in found)
    assert found[0]["name"] == "花溪区社会保险经办机构信息"
    assert found[0]["provider"] == "贵阳市大数据发展管理局"
    assert [c["score"] for c in found] == sorted((c["score"] for c in found), reverse=True)
    assert "「社保」≈「社会保险」" in found[0]["explanation"]["summary"]
    assert (Path(env["CERTFREE_KEY_DIR"]).parent / "cache").is_dir()  # the index was kept


def test_batch_prints_one_array_per_line_in_order(env: dict[str, str], tmp_path: Path) -> None:
    demands = tmp_path / "demands.txt"
    demands.write_text("户口和居住地信息\n火星车遥测数据\n\n企业总数与增速\n", encoding="utf-8")
    result = runner.invoke(
        app, ["catalog", "match", "--batch", str(demands), "--top", "2", "--json"], env=env
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    arrays = [json.loads(line) for line in lines]
    assert arrays[0][0]["name"] == "社矫人员_户籍和居住地相关信息"
    assert arrays[1:3] == [[], []]
    assert arrays[3][0]["name"] == "市场主体总数与增速"
    assert all(len(a) <= 2 for a in arrays)


def test_match_needs_text_or_batch(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["catalog", "match", "--json"], env=env)
    assert result.exit_code == 1
    assert "--batch" in result.output


def test_demand_then_gap_list(env: dict[str, str]) -> None:
    base = ["catalog", "demand", "add", "--department", "济南市民政局", "--scenario", "测试",
            "--purpose", "测试", "--legal-basis", "《测试条例》"]  # fmt: skip
    found = runner.invoke(app, [*base, "--text", "城市居民低保", "--calls-per-day", "80"], env=env)
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["candidates"][0]["name"].endswith("最低生活保障金发放名册")
    missing = runner.invoke(app, [*base, "--text", "火星车遥测数据"], env=env)
    assert json.loads(missing.stdout)["candidates"] == []
    gaps = runner.invoke(app, ["catalog", "gaps"], env=env)
    assert [g["text"] for g in json.loads(gaps.stdout)] == ["火星车遥测数据"]


def test_rejected_file_is_explained_and_nothing_stored(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes("信息资源名称,信息资源提供方,发布日期\n婚姻登记,民政局,去年\n".encode("gbk"))
    result = runner.invoke(app, ["catalog", "import", str(bad), "--encoding", "gbk"], env=env)
    assert result.exit_code == 1
    assert "第 2 行「发布日期」" in result.output
    assert "未导入任何内容" in result.output
    shown = runner.invoke(app, ["catalog", "list", "--provider", "民政局"], env=env)
    assert json.loads(shown.stdout) == []


def test_demo_source_reimports_as_updates(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["catalog", "demo", "--dir", str(REAL_DIR)], env=env)
    assert result.exit_code == 0, result.output
    [report] = json.loads(result.stdout)
    assert (report["created"], report["updated"]) == (0, 3131)
    shown = runner.invoke(app, ["catalog", "show", "307/000001"], env=env)
    assert json.loads(shown.stdout)["source_url"].startswith("http://data.guizhou.gov.cn/")


def test_demo_imports_the_catalog_shipped_in_the_package(tmp_path: Path) -> None:
    # As in a fresh clone: the working directory (tmp_path) has nothing beside it.
    with fresh_database_url(tmp_path) as url:
        db = Database(url)
        migrate.upgrade(db)
        db.dispose()
        environment = {"CERTFREE_DATABASE_URL": url, "CERTFREE_KEY_DIR": str(tmp_path / "keys")}
        result = runner.invoke(app, ["catalog", "demo"], env=environment)
        assert result.exit_code == 0, result.output
        [report] = json.loads(result.stdout)
        assert report["filename"] == "catalog_guiyang_nanning_sample.csv"
        assert report["rows"] == report["created"] > 300
        again = runner.invoke(app, ["catalog", "demo"], env=environment)
        assert json.loads(again.stdout)[0]["updated"] == report["rows"]  # refreshed, not doubled
        found = runner.invoke(
            app, ["catalog", "match", "查询社保参保缴费记录", "--top", "5", "--json"],
            env=environment,
        )  # fmt: skip
        assert found.exit_code == 0, found.output
        assert any("社保" in c["name"] or "参保" in c["name"] for c in json.loads(found.stdout))
    # Every demo row is a real portal entry, unchanged (the vector holds them all).
    real = {
        row["record_url"]: row
        for row in csv.DictReader(io.StringIO(REAL_FILE.read_text(encoding="utf-8")))
    }
    [(_, shipped)] = demo_catalog_files()
    rows = list(csv.DictReader(io.StringIO(shipped.decode("utf-8"))))
    assert all(real[row["record_url"]] == row for row in rows)
    assert len({(row["region"], row["provider"]) for row in rows}) == len(
        {(row["region"], row["provider"]) for row in real.values()}
    )  # every provider of the real set


def test_the_demo_catalog_is_declared_package_data() -> None:
    # A wheel holds only what pyproject's package-data names; the demo must be in it.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["certfree"]
    package = ROOT / "src" / "certfree"
    shipped = list((package / "demo" / "data").rglob("*.csv"))
    assert shipped
    for path in shipped:
        relative = path.relative_to(package).as_posix()
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), relative
