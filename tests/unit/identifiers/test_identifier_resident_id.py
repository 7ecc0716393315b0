"""GB 11643-1999 resident ID numbers: what a parsed number tells, and the generator round trip."""

from __future__ import annotations

from datetime import date
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certfree.identifiers import (
    InvalidIdentifier,
    Sex,
    counties_of,
    make_resident_id,
    parse_resident_id,
    shandong_cities,
)
from certfree.identifiers.divisions import lookup_division, lookup_shandong
from certfree.identifiers.resident_id import RETIRED_CODE_GRACE_YEARS

TODAY = date(2025, 6, 1)
TABLE_ROWS = (
    resources.files("certfree.identifiers")
    .joinpath("data/gb2260.csv")
    .read_text(encoding="utf-8")
    .splitlines()[1:]
)

SHANDONG_COUNTIES = sorted(
    {d.code for city in shandong_cities() for d in counties_of(city.code, current_only=False)}
)
ADDRESS_CODES = [*SHANDONG_COUNTIES, "371202", "371201", "360426", "440113", "110102", "820000"]

addresses = st.sampled_from(ADDRESS_CODES)
births = st.dates(min_value=date(1800, 1, 1), max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999)


def _last_birth(address: str) -> date:
    """The last birth date a number under ``address`` can have: a retired code is given no
    later than the year after it was retired."""
    division = lookup_division(address)
    if division is None or division.valid_to is None:
        return TODAY
    return min(TODAY, date(division.valid_to + RETIRED_CODE_GRACE_YEARS, 12, 31))


@st.composite
def numbers(draw: st.DrawFn) -> tuple[str, date, int]:
    """An address code, a birth date it can be given with, and a sequence."""
    address = draw(addresses)
    birth = draw(st.dates(min_value=date(1800, 1, 1), max_value=_last_birth(address)))
    return address, birth, draw(sequences)


def test_sex_follows_the_sequence_parity() -> None:
    male = parse_resident_id(make_resident_id("370102", date(1990, 1, 1), 1), today=TODAY)
    female = parse_resident_id(make_resident_id("370102", date(1990, 1, 1), 2), today=TODAY)
    assert male.sex == "male"
    assert male.sex is Sex.MALE
    assert female.sex == "female"


def test_parts_of_a_parsed_number() -> None:
    parsed = parse_resident_id(" 11010519491231002x ", today=TODAY)
    assert parsed.number == "11010519491231002X"
    assert parsed.address_code == "110105"
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.sequence == 2
    assert parsed.check_char == "X"
    assert (parsed.address.name, parsed.address.full_name) == ("朝阳区", "北京市朝阳区")
    assert str(parsed) == parsed.number


def test_shandong_address_is_looked_up() -> None:
    parsed = parse_resident_id(make_resident_id("371202", date(1985, 7, 1), 11), today=TODAY)
    assert parsed.address.full_name == "山东省莱芜市莱城区"
    assert not parsed.address.is_current


@pytest.mark.parametrize(
    ("on", "age"),
    [
        (date(2000, 2, 29), 0),
        (date(2001, 2, 28), 0),
        (date(2001, 3, 1), 1),
        (date(2004, 2, 29), 4),
        (date(2025, 6, 1), 25),
    ],
)
def test_age_of_someone_born_on_29_february(on: date, age: int) -> None:
    parsed = parse_resident_id(make_resident_id("370102", date(2000, 2, 29), 5), today=TODAY)
    assert parsed.age_on(on) == age


def test_age_before_birth_is_refused() -> None:
    parsed = parse_resident_id(make_resident_id("370102", date(2000, 2, 29), 5), today=TODAY)
    with pytest.raises(InvalidIdentifier):
        parsed.age_on(date(1999, 1, 1))


def test_born_today_is_fine_born_tomorrow_is_not() -> None:
    assert parse_resident_id(make_resident_id("370102", TODAY, 5), today=TODAY)
    tomorrow = make_resident_id("370102", date(2025, 6, 2), 5)
    with pytest.raises(InvalidIdentifier, match="is in the future"):
        parse_resident_id(tomorrow, today=TODAY)


def test_default_today_is_the_system_date() -> None:
    far_future = make_resident_id("370102", date(9999, 12, 31), 5)
    with pytest.raises(InvalidIdentifier, match="is in the future"):
        parse_resident_id(far_future)


@pytest.mark.parametrize(
    ("address", "birth", "sequence"),
    [("37010", date(1990, 1, 1), 1), ("370102", date(1990, 1, 1), 1000)],
)
def test_make_refuses_bad_shapes(address: str, birth: date, sequence: int) -> None:
    with pytest.raises(InvalidIdentifier):
        make_resident_id(address, birth, sequence)


@given(numbers())
def test_make_then_parse_round_trips(parts: tuple[str, date, int]) -> None:
    address, birth, sequence = parts
    number = make_resident_id(address, birth, sequence)
    parsed = parse_resident_id(number, today=TODAY)
    assert (parsed.number, parsed.address_code, parsed.birth_date, parsed.sequence) == (
        number,
        address,
        birth,
        sequence,
    )
    assert parsed.sex == ("male" if sequence % 2 else "female")
    if address.startswith("37"):
        assert lookup_shandong(address) is not None


@given(addresses, births, sequences, st.data())
def test_every_single_substitution_is_detected(
    address: str, birth: date, sequence: int, data: st.DataObject
) -> None:
    number = make_resident_id(address, birth, sequence)
    position = data.draw(st.integers(0, 17))
    alphabet = "0123456789X" if position == 17 else "0123456789"
    other = data.draw(st.sampled_from(alphabet).filter(lambda c: c != number[position]))
    changed = number[:position] + other + number[position + 1 :]
    # GB 11643 §7: MOD 11-2 weights are non-zero mod the prime 11, so the check catches it.
    with pytest.raises(InvalidIdentifier, match=r"^check character should be"):
        parse_resident_id(changed, today=TODAY)


@given(addresses, births, sequences, st.data())
def test_any_foreign_character_is_refused(
    address: str, birth: date, sequence: int, data: st.DataObject
) -> None:
    number = make_resident_id(address, birth, sequence)
    position = data.draw(st.integers(0, 17))
    other = data.draw(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWYZ-. /"))
    with pytest.raises(InvalidIdentifier):
        parse_resident_id(number[:position] + other + number[position + 1 :], today=TODAY)


COUNTY_CODES = sorted(
    code for code in {row.split(",", 1)[0] for row in TABLE_ROWS} if not code.endswith("00")
)


@given(st.sampled_from(COUNTY_CODES), births)
def test_a_code_retired_before_the_birth_year_is_refused(address: str, birth: date) -> None:
    # GB 11643 §5.1 + the GB/T 2260 years: the number is given at registration, at or after
    # birth, so a county code retired before the birth year (one year of grace) cannot be in it.
    division = lookup_division(address)
    assert division is not None
    number = make_resident_id(address, birth, 7)
    if division.valid_to is not None and birth.year > division.valid_to + 1:
        with pytest.raises(InvalidIdentifier, match=f"was retired in {division.valid_to}, "):
            parse_resident_id(number, today=TODAY)
    else:
        assert parse_resident_id(number, today=TODAY).address == division


def test_a_code_younger_than_its_holder_is_accepted() -> None:
    # 110111 房山区 came into use in 1986; someone born in 1950 registered there has it.
    fangshan = lookup_division("110111")
    assert fangshan is not None
    assert fangshan.valid_from == 1986
    parsed = parse_resident_id(make_resident_id("110111", date(1950, 5, 4), 3), today=TODAY)
    assert parsed.address.full_name == "北京市房山区"


@pytest.mark.parametrize(
    ("code", "region"),
    [("810000", "香港特别行政区"), ("820000", "澳门特别行政区"), ("830000", "台湾省")],
)
def test_residence_permit_numbers_name_their_region(code: str, region: str) -> None:
    parsed = parse_resident_id(make_resident_id(code, date(1970, 1, 1), 1), today=TODAY)
    assert parsed.address.name == region


def test_a_city_without_counties_is_its_own_address_code() -> None:
    parsed = parse_resident_id(make_resident_id("442000", date(1990, 1, 1), 1), today=TODAY)
    assert parsed.address.full_name == "广东省中山市"
    with pytest.raises(InvalidIdentifier, match="prefecture-level code of 嘉峪关市"):
        # 嘉峪关 has a 市辖区 code (620201), which its people carry.
        parse_resident_id(make_resident_id("620200", date(1990, 1, 1), 1), today=TODAY)
