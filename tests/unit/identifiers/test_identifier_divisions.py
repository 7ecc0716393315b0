"""GB/T 2260 divisions: the shipped national table with its years, and Shandong's cities."""

from __future__ import annotations

import csv
import io
from importlib import resources

import pytest

from certfree.identifiers import (
    PROVINCES,
    DivisionLevel,
    InvalidIdentifier,
    counties_of,
    lookup_division,
    parse_division,
    province,
    shandong_cities,
)

CITIES = [
    ("370100", "济南市"),
    ("370200", "青岛市"),
    ("370300", "淄博市"),
    ("370400", "枣庄市"),
    ("370500", "东营市"),
    ("370600", "烟台市"),
    ("370700", "潍坊市"),
    ("370800", "济宁市"),
    ("370900", "泰安市"),
    ("371000", "威海市"),
    ("371100", "日照市"),
    ("371300", "临沂市"),
    ("371400", "德州市"),
    ("371500", "聊城市"),
    ("371600", "滨州市"),
    ("371700", "菏泽市"),
]


def test_the_16_current_cities_in_code_order() -> None:
    assert [(d.code, d.name) for d in shandong_cities()] == CITIES
    assert all(d.level is DivisionLevel.PREFECTURE and d.is_current for d in shandong_cities())
    assert all(d.parent_code == "370000" for d in shandong_cities())


@pytest.mark.parametrize(("code", "name"), CITIES)
def test_each_city_parses_with_its_full_name(code: str, name: str) -> None:
    city = parse_division(code)
    assert (city.name, city.level, city.full_name) == (name, "prefecture", "山东省" + name)


def test_every_current_city_has_current_counties() -> None:
    for city in shandong_cities():
        counties = counties_of(city.code)
        assert counties, city.name
        assert all(c.is_current and c.parent_code == city.code for c in counties)
        assert not any(c.is_placeholder or c.name == "市辖区" for c in counties)
    assert sum(len(counties_of(c.code)) for c in shandong_cities()) == 136


def test_county_lookup() -> None:
    lixia = parse_division("370102")
    assert (lixia.name, lixia.level, lixia.parent_code) == ("历下区", "county", "370100")
    assert lixia.full_name == "山东省济南市历下区"
    assert lixia.is_current


def test_jinan_absorbed_laiwu_in_2019() -> None:
    names = [d.name for d in counties_of("370100")]
    assert names[-4:] == ["莱芜区", "钢城区", "平阴县", "商河县"]


def test_laiwu_is_retired_but_accepted_as_historical() -> None:
    with pytest.raises(InvalidIdentifier, match="371200 莱芜市 is a retired"):
        parse_division("371200")
    laiwu = parse_division("371200", historical_ok=True)
    assert (laiwu.name, laiwu.is_current, laiwu.valid_to) == ("莱芜市", False, 2018)
    assert counties_of("371200") == []
    assert [d.name for d in counties_of("371200", current_only=False)] == ["莱城区", "钢城区"]


def test_a_reused_code_resolves_to_its_current_name() -> None:
    rencheng = parse_division("370811")
    # 1983-1992 the lists spell the old name both ways; both are kept.
    assert (rencheng.name, rencheng.former_names) == ("任城区", ("郊区", "市郊区"))


def test_province() -> None:
    shandong = province()
    assert (shandong.code, shandong.name, shandong.level) == ("370000", "山东省", "province")
    assert shandong.parent_code is None
    assert parse_division("370000") == shandong


@pytest.mark.parametrize("prefix", sorted(PROVINCES))
def test_every_province_code_parses(prefix: str) -> None:
    division = parse_division(prefix + "0000")
    assert (division.name, division.level) == (PROVINCES[prefix], "province")


def test_province_table_is_the_gbt_2260_one() -> None:
    assert len(PROVINCES) == 34
    assert {"11", "37", "46", "50", "54", "65", "71", "81", "82"} <= set(PROVINCES)


@pytest.mark.parametrize("code", ["370000x", "3701O2", "", "370102 1"])
def test_malformed_codes_are_refused(code: str) -> None:
    with pytest.raises(InvalidIdentifier, match="is 6 digits"):
        parse_division(code)


@pytest.mark.parametrize("code", ["370102", "370000"])
def test_counties_of_refuses_non_city_codes(code: str) -> None:
    with pytest.raises(InvalidIdentifier, match="not a Shandong prefecture-level code"):
        counties_of(code)


@pytest.mark.parametrize(
    ("code", "full_name"),
    [
        ("372101", "山东省烟台地区烟台市"),
        ("372201", "山东省潍坊地区潍坊市"),
        ("370101", "山东省济南市市辖区"),
    ],
)
def test_full_names_of_historical_and_placeholder_codes(code: str, full_name: str) -> None:
    assert parse_division(code, historical_ok=True).full_name == full_name


TABLE = list(
    csv.DictReader(
        io.StringIO(
            resources.files("certfree.identifiers")
            .joinpath("data/gb2260.csv")
            .read_text(encoding="utf-8")
        )
    )
)


def test_the_table_is_well_formed() -> None:
    assert list(TABLE[0]) == ["code", "name", "valid_from", "valid_to"]
    keys = [(r["code"], int(r["valid_from"] or 0)) for r in TABLE]
    assert keys == sorted(keys)
    for row in TABLE:
        assert len(row["code"]) == 6, row
        assert row["code"].isdigit(), row
        assert row["name"], row
        start, end = int(row["valid_from"] or 1980), int(row["valid_to"] or 9999)
        assert 1980 <= start <= end, row


def test_the_table_covers_every_province_at_county_level() -> None:
    current_counties = {
        r["code"][:2] for r in TABLE if not r["code"].endswith("00") and not r["valid_to"]
    }
    mainland = set(PROVINCES) - {"71", "81", "82"}
    assert len(mainland) == 31
    assert current_counties == mainland
    assert len({r["code"] for r in TABLE}) > 7000


@pytest.mark.parametrize("prefix", sorted(PROVINCES))
def test_every_province_is_in_the_table_by_its_name(prefix: str) -> None:
    division = lookup_division(prefix + "0000")
    assert division is not None
    assert (division.name, division.is_current) == (PROVINCES[prefix], True)


@pytest.mark.parametrize(
    ("code", "full_name", "level"),
    [
        ("110102", "北京市西城区", "county"),
        ("533102", "云南省德宏傣族景颇族自治州瑞丽市", "county"),
        ("429004", "湖北省仙桃市", "county"),  # 429000 is 省直辖县级行政单位, left out
        ("441900", "广东省东莞市", "prefecture"),
        ("650100", "新疆维吾尔自治区乌鲁木齐市", "prefecture"),
        ("710000", "台湾省", "province"),
        ("810000", "香港特别行政区", "province"),
    ],
)
def test_codes_of_every_province_parse(code: str, full_name: str, level: str) -> None:
    division = parse_division(code)
    assert (division.full_name, division.level, division.is_current) == (full_name, level, True)


def test_a_code_carries_the_years_it_was_in_use() -> None:
    # 济南 郊区 (1983-1987) became 历城区, which took a new code.
    suburb = parse_division("370111", historical_ok=True)
    assert (suburb.valid_from, suburb.valid_to, suburb.is_current) == (None, 1987, False)
    licheng = parse_division("370112")
    assert (licheng.valid_from, licheng.valid_to) == (1987, None)
    # Tianjin 120110: 东郊区 until 1992, then 东丽区 under the same code.
    dongli = parse_division("120110")
    assert (dongli.name, dongli.former_names, dongli.valid_to) == ("东丽区", ("东郊区",), None)


@pytest.mark.parametrize("code", ["119999", "533190", "371299", "460399"])
def test_codes_never_listed_are_refused_even_as_historical(code: str) -> None:
    with pytest.raises(InvalidIdentifier, match=r"is not a division code of .* in GB/T 2260"):
        parse_division(code, historical_ok=True)
    assert lookup_division(code) is None
