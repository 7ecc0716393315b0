"""GB/T 36904-2018 electronic certificate identifiers: structure, faults, generator round trip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certfree.identifiers import (
    CERT_ID_ROOT,
    InvalidIdentifier,
    make_cert_id,
    make_uscc,
    parse_cert_id,
)
from certfree.identifiers.checksums import ISO7064_MOD37_36_ALPHABET, USCC_ALPHABET

TYPE_CODE = "11100000000013338W011"
ISSUER = "11430000006122244L"
VALID = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"

usccs = st.builds(
    make_uscc,
    st.just("1"),
    st.sampled_from("1239"),
    st.sampled_from(["100000", "370000", "370102", "110000"]),
    st.text(alphabet=USCC_ALPHABET, min_size=8, max_size=8),
)
serials = st.text(alphabet=ISO7064_MOD37_36_ALPHABET, min_size=1, max_size=64)
versions = st.integers(min_value=0, max_value=999)


def test_parts_of_a_published_identifier() -> None:
    parsed = parse_cert_id(VALID.lower())
    assert parsed.type_code == TYPE_CODE
    assert parsed.type_definer.code == "11100000000013338W"
    assert parsed.type_sequence == "011"
    assert parsed.issuer.code == ISSUER
    assert (parsed.serial, parsed.version, parsed.check_char) == ("20230000403", "001", "U")
    assert str(parsed) == VALID


def test_make_matches_the_published_identifier() -> None:
    assert make_cert_id(TYPE_CODE, ISSUER, "20230000403", 1) == VALID
    assert make_cert_id(TYPE_CODE, ISSUER, "20230000403", "001") == VALID


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (VALID.replace(CERT_ID_ROOT, "1.2.156.3005.1"), "starts with '1.2.156.3005.2.'"),
        (VALID[:-2], "has 5 dot-separated parts"),
        (VALID[:-1] + "*", "check character should be 'U', got '*'"),
        (VALID.replace(".001.", ".01."), "version must be 3 digits, got '01'"),
        (VALID.replace("W011", "W01"), "type code has 21 characters"),
        (VALID.replace("W011", "W01A"), "must end in 3 digits after the USCC"),
        (VALID.replace("13338W", "13338X"), "defining authority's USCC is invalid"),
        (VALID.replace("44L", "44M"), "issuer USCC is invalid: check character should be 'L'"),
        (VALID.replace("20230000403", "2023-0403"), "'-' in the serial number is not allowed"),
        (VALID.replace("20230000403", ""), "serial number is empty"),
        (VALID.replace("20230000403", "9" * 65), "at most 64 accepted"),
    ],
)
def test_faults_are_named(text: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        parse_cert_id(text)
    assert message in info.value.message


@pytest.mark.parametrize(
    ("type_code", "issuer", "serial", "version"),
    [
        (TYPE_CODE, ISSUER, "", 1),
        (TYPE_CODE, ISSUER, "A.B", 1),
        (TYPE_CODE, ISSUER, "1", 1000),
        (TYPE_CODE, ISSUER, "1", "1"),
        (TYPE_CODE, "340100", "1", 1),
        (TYPE_CODE[:-1], ISSUER, "1", 1),
    ],
)
def test_make_refuses_bad_parts(
    type_code: str, issuer: str, serial: str, version: int | str
) -> None:
    with pytest.raises(InvalidIdentifier):
        make_cert_id(type_code, issuer, serial, version)


@given(usccs, st.integers(0, 999), usccs, serials, versions)
def test_make_then_parse_round_trips(
    definer: str, sequence: int, issuer: str, serial: str, version: int
) -> None:
    type_code = f"{definer}{sequence:03d}"
    text = make_cert_id(type_code, issuer, serial, version)
    parsed = parse_cert_id(text)
    assert parsed.value == text
    assert (parsed.type_code, parsed.issuer.code, parsed.serial) == (type_code, issuer, serial)
    assert parsed.version == f"{version:03d}"


@given(usccs, usccs, serials, versions, st.data())
def test_every_single_substitution_is_detected(
    definer: str, issuer: str, serial: str, version: int, data: st.DataObject
) -> None:
    text = make_cert_id(definer + "001", issuer, serial, version)
    position = data.draw(st.integers(0, len(text) - 1))
    other = data.draw(
        st.sampled_from(ISO7064_MOD37_36_ALPHABET + ".*").filter(lambda c: c != text[position])
    )
    with pytest.raises(InvalidIdentifier):
        parse_cert_id(text[:position] + other + text[position + 1 :])
