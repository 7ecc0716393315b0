"""GB/T 2260 divisions: the shipped Shandong table and the province-level table."""

from __future__ import annotations

import pytest

from certfree.identifiers import (
    PROVINCES,
    DivisionLevel,
    InvalidIdentifier,
    counties_of,
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
    assert (rencheng.name, rencheng.former_names) == ("任城区", ("郊区",))


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
