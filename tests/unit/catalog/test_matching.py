"""Matching demands to the real catalog entries: synonyms, item alignment, gaps, the cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from certfree import catalog
from certfree.storage import Database, migrate
from conftest import VECTORS
from factories.databases import fresh_database_url

REAL_FILE = VECTORS / "open_data_catalog" / "catalog_guiyang_nanning.csv"


@pytest.fixture(scope="module")
def real_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A database holding the 3,131 real open-data entries (imported once per module)."""
    with fresh_database_url(tmp_path_factory.mktemp("catalog")) as url:
        db = Database(url)
        migrate.upgrade(db)
        with db.session() as session:
            catalog.import_catalog(session, REAL_FILE.read_bytes(), REAL_FILE.name)
        yield db
        db.dispose()


@pytest.fixture(scope="module")
def index(real_db: Database) -> catalog.ResourceIndex:
    with real_db.session() as session:
        return catalog.load_index(session)


@pytest.mark.parametrize(
    ("demand", "said", "written", "expected"),
    [
        ("社保经办机构", "社保", "社会保险", "花溪区社会保险经办机构信息"),
        ("房产证年度发证情况", "房产", "不动产", "贵阳市不动产权证年度发证情况"),
        ("户口和居住地信息", "户口", "户籍", "社矫人员_户籍和居住地相关信息"),
        ("企业总数与增速", "企业", "市场主体", "市场主体总数与增速"),
        ("驾照信息", "驾照", "驾驶证", "社矫人员_机动车驾驶证信息"),
        ("城市居民低保", "低保", "最低生活保障", "南明区民政局城市居民最低生活保障"),
    ],
)
def test_synonyms_find_what_the_catalog_calls_otherwise(
    index: catalog.ResourceIndex, demand: str, said: str, written: str, expected: str
) -> None:
    found = catalog.match(index, demand, top=5)
    assert expected in [c.name for c in found]
    hit = next(c for c in found if c.name == expected)
    synonyms = [t for t in hit.explanation["terms"] if t["synonym"]]
    assert any(t["demand"] == said for t in synonyms), hit.explanation
    assert f"「{said}」≈" in hit.explanation["summary"]
    assert any(t["matched"] == written for t in synonyms)


def test_scores_are_ranked_and_between_zero_and_one(index: catalog.ResourceIndex) -> None:
    found = catalog.match(index, "医保定点零售药店", top=10)
    scores = [c.score for c in found]
    assert len(found) == 10
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)
    assert found[0].as_json().keys() >= {"name", "provider", "score", "explanation"}


def test_data_items_align_with_the_resources_items(index: catalog.ResourceIndex) -> None:
    found = catalog.match(index, "网吧", ["法人名称", "单位地址", "终端数"], top=5)
    best = next(c for c in found if c.name == "清镇市网吧分布信息")
    aligned = {a["demand_item"]: a["resource_item"] for a in best.explanation["items"]}
    assert aligned == {"单位地址": "单位地址", "终端数": "终端数量"}
    assert "信息项「单位地址」→「单位地址」" in best.explanation["summary"]


def test_an_unknown_need_matches_nothing(index: catalog.ResourceIndex) -> None:
    assert catalog.match(index, "火星探测器轨道数据") == []
    assert catalog.match(index, "的 和 数据 信息") == []


def test_gap_list_keeps_unmatched_demands_by_call_volume(real_db: Database) -> None:
    base = {"department": "济南市民政局", "scenario": "测试", "purpose": "测试",
            "legal_basis": "《测试条例》"}  # fmt: skip
    with real_db.session() as session:
        for text, calls in (("火星探测器轨道数据", 5), ("医保定点零售药店", 900),
                            ("量子通信密钥分发记录", 50)):  # fmt: skip
            catalog.register_demand(session, {**base, "text": text, "calls_per_day": calls})
        gaps = catalog.gap_list(session, catalog.load_index(session))
    assert [g["text"] for g in gaps] == ["量子通信密钥分发记录", "火星探测器轨道数据"]
    assert all(g["best_score"] < catalog.GAP_THRESHOLD for g in gaps)


def test_index_is_rebuilt_only_when_the_catalog_changes(tmp_path: Path, db: Database) -> None:
    resource = {
        "class_code": "203", "name": "城乡居民养老保险参保信息", "abstract": "参保登记",
        "provider": "济南市社会保险事业中心", "provider_code": "12370100MB28500001",
        "format": "接口", "share_type": "无条件共享", "share_method": "接口",
        "open_type": "不予开放", "update_cycle": "每日", "released": "2024-01-01",
    }  # fmt: skip
    with db.session() as session:
        catalog.create_resource(session, catalog.validate_resource(resource))
    with db.session() as session:
        first = catalog.load_index(session, tmp_path)
        assert catalog.load_index(session, tmp_path) is first
    assert len(list(tmp_path.glob("catalog-index-*.pickle"))) == 1
    with db.session() as session:
        catalog.create_resource(
            session, catalog.validate_resource(resource | {"name": "住房公积金缴存信息"})
        )
    with db.session() as session:
        second = catalog.load_index(session, tmp_path)
    assert second is not first
    assert [c.name for c in catalog.match(second, "公积金")] == ["住房公积金缴存信息"]
    assert [c.name for c in catalog.match(second, "养老金")] == ["城乡居民养老保险参保信息"]
