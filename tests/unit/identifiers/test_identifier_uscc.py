"""GB 32100-2015 unified social credit codes: parts, Table 1 names, generator round trip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certfree.identifiers import InvalidIdentifier, make_uscc, parse_uscc
from certfree.identifiers.checksums import USCC_ALPHABET
from certfree.identifiers.uscc import ENTITY_TYPES

PAIRS = sorted((a, t) for a, types in ENTITY_TYPES.items() for t in types)

pairs = st.sampled_from(PAIRS)
divisions = st.sampled_from(["100000", "370000", "370102", "371202", "110105", "340602", "820000"])
bodies = st.text(alphabet=USCC_ALPHABET, min_size=8, max_size=8)


def test_parts_and_names() -> None:
    parsed = parse_uscc(" 91620105l015101280 ")
    assert parsed.code == "91620105L015101280"
    assert (parsed.authority_code, parsed.authority_name) == ("9", "工商")
    assert (parsed.entity_type_code, parsed.entity_type_name) == ("1", "企业")
    assert parsed.division_code == "620105"
    assert parsed.province_name == "甘肃省"
    assert parsed.org_code == "L01510128"
    assert parsed.check_char == "0"


def test_individual_business_and_public_institution() -> None:
    assert parse_uscc("92340602MA2PBQAH7E").entity_type_name == "个体工商户"
    assert parse_uscc("121200004013590816").entity_type_name == "事业单位"


def test_central_level_authority_has_no_province() -> None:
    assert parse_uscc("11100000000013338W").province_name is None


def test_table_1_covers_every_authority() -> None:
    assert sorted(ENTITY_TYPES) == sorted("123456789ANY")
    assert ENTITY_TYPES["5"] == {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}
    assert ENTITY_TYPES["9"] == {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}


@pytest.mark.parametrize(
    ("authority", "entity_type", "division", "body"),
    [
        ("9", "4", "370102", "MA3C4D5E"),
        ("B", "1", "370102", "MA3C4D5E"),
        ("9", "1", "990000", "MA3C4D5E"),
        ("9", "1", "119999", "MA3C4D5E"),
        ("9", "1", "37010", "MA3C4D5E"),
        ("9", "1", "370102", "MA3C4D5O"),
        ("9", "1", "370102", "MA3C4D5"),
    ],
)
def test_make_refuses_bad_parts(authority: str, entity_type: str, division: str, body: str) -> None:
    with pytest.raises(InvalidIdentifier):
        make_uscc(authority, entity_type, division, body)


@given(pairs, divisions, bodies)
def test_make_then_parse_round_trips(pair: tuple[str, str], division: str, body: str) -> None:
    code = make_uscc(pair[0], pair[1], division, body)
    parsed = parse_uscc(code)
    assert parsed.code == code
    assert (parsed.authority_code, parsed.entity_type_code) == pair
    assert parsed.division_code == division
    assert parsed.org_code[:8] == body


@given(pairs, divisions, bodies, st.data())
def test_every_single_substitution_is_detected(
    pair: tuple[str, str], division: str, body: str, data: st.DataObject
) -> None:
    code = make_uscc(pair[0], pair[1], division, body)
    position = data.draw(st.integers(0, 17))
    other = data.draw(st.sampled_from(USCC_ALPHABET).filter(lambda c: c != code[position]))
    # GB 32100 §4.3: the weights 3^(i-1) are non-zero mod the prime 31, so MOD 31 catches it.
    with pytest.raises(InvalidIdentifier, match=r"^check character should be"):
        parse_uscc(code[:position] + other + code[position + 1 :])
