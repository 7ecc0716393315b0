"""GB 11643-1999 resident ID numbers: what a parsed number tells, and the generator round trip."""

from __future__ import annotations

from datetime import date

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
from certfree.identifiers.divisions import lookup_shandong

TODAY = date(2025, 6, 1)

SHANDONG_COUNTIES = sorted(
    {d.code for city in shandong_cities() for d in counties_of(city.code, current_only=False)}
)
ADDRESS_CODES = [*SHANDONG_COUNTIES, "371202", "371201", "360426", "440113", "110102", "820000"]

addresses = st.sampled_from(ADDRESS_CODES)
births = st.dates(min_value=date(1800, 1, 1), max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999)


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
    assert parsed.address.name == "北京市"
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


@given(addresses, births, sequences)
def test_make_then_parse_round_trips(address: str, birth: date, sequence: int) -> None:
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
