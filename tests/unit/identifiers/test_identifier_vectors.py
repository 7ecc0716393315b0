"""One test per vector in tests/vectors/cn_identifiers.json, cn_identifier_faults.json and
gbt36904_examples.json: valid ones parse, invalid ones fail with the exact message a person sees."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from certfree.identifiers import (
    InvalidIdentifier,
    parse_cert_id,
    parse_division,
    parse_resident_id,
    parse_uscc,
)

VECTORS = Path(__file__).resolve().parents[2] / "vectors"


def _load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


CN = _load("cn_identifiers.json")
FAULTS = _load("cn_identifier_faults.json")
CERT = _load("gbt36904_examples.json")
TODAY = date.fromisoformat(FAULTS["today"])
RESIDENT_FAULTS = {case["input"]: case for case in FAULTS["resident_id"]}
RESIDENT_ACCEPTED = {case["input"]: case for case in FAULTS["resident_id_accepted"]}
USCC_FAULTS = {case["input"]: case for case in FAULTS["uscc"]}


def _ids(cases: list[dict[str, Any]], key: str) -> list[str]:
    return [str(case[key]).strip() for case in cases]


@pytest.mark.parametrize(
    "case", CN["resident_id"]["valid"], ids=_ids(CN["resident_id"]["valid"], "id")
)
def test_valid_resident_id_parses(case: dict[str, Any]) -> None:
    parsed = parse_resident_id(case["id"].lower(), today=TODAY)
    assert parsed.number == case["id"].upper()
    if "birth" in case:
        assert parsed.birth_date == date.fromisoformat(case["birth"])


@pytest.mark.parametrize(
    "case", CN["resident_id"]["invalid"], ids=_ids(CN["resident_id"]["invalid"], "id")
)
def test_invalid_resident_id_vector(case: dict[str, Any]) -> None:
    number = case["id"]
    if number in RESIDENT_ACCEPTED:
        # A code that came into use after the birth year: the number may have been assigned
        # years after birth, so it stays legal (see the faults file and resident_id).
        assert parse_resident_id(number, today=TODAY).number == number
        return
    expected = RESIDENT_FAULTS[number]["message"]
    with pytest.raises(InvalidIdentifier) as info:
        parse_resident_id(number, today=TODAY)
    assert info.value.message == expected


@pytest.mark.parametrize("case", FAULTS["resident_id"], ids=_ids(FAULTS["resident_id"], "input"))
def test_resident_id_fault_message(case: dict[str, Any]) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        parse_resident_id(case["input"], today=TODAY)
    assert info.value.message == case["message"]


@pytest.mark.parametrize(
    "case", FAULTS["resident_id_accepted"], ids=_ids(FAULTS["resident_id_accepted"], "input")
)
def test_resident_id_accepted(case: dict[str, Any]) -> None:
    parsed = parse_resident_id(case["input"], today=TODAY)
    assert parsed.number == case["input"].strip().upper()


@pytest.mark.parametrize("code", CN["uscc"]["valid"])
def test_valid_uscc_parses(code: str) -> None:
    parsed = parse_uscc(code)
    assert parsed.code == code
    assert parsed.org_code == code[8:17]


@pytest.mark.parametrize("case", CN["uscc"]["invalid"], ids=_ids(CN["uscc"]["invalid"], "code"))
def test_invalid_uscc_vector(case: dict[str, Any]) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        parse_uscc(case["code"])
    assert info.value.message == USCC_FAULTS[case["code"]]["message"]


@pytest.mark.parametrize("case", FAULTS["uscc"], ids=_ids(FAULTS["uscc"], "input"))
def test_uscc_fault_message(case: dict[str, Any]) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        parse_uscc(case["input"])
    assert info.value.message == case["message"]


USCC_ACCEPTED = FAULTS["uscc_accepted"]


@pytest.mark.parametrize("case", USCC_ACCEPTED, ids=_ids(USCC_ACCEPTED, "input"))
def test_uscc_accepted(case: dict[str, Any]) -> None:
    assert parse_uscc(case["input"]).division_code == case["input"][2:8]


@pytest.mark.parametrize("case", FAULTS["division"], ids=_ids(FAULTS["division"], "input"))
def test_division_fault_message(case: dict[str, Any]) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        parse_division(case["input"], historical_ok=case["historical_ok"])
    assert info.value.message == case["message"]


@pytest.mark.parametrize("case", CERT["published"], ids=_ids(CERT["published"], "id"))
def test_published_cert_id_parses(case: dict[str, Any]) -> None:
    parsed = parse_cert_id(case["id"])
    assert parsed.value == case["id"]
    assert parsed.check_char == case["check_by_literal_mod37_36"]


@pytest.mark.parametrize("case", CERT["derived"], ids=_ids(CERT["derived"], "id"))
def test_derived_cert_id_parses(case: dict[str, Any]) -> None:
    parsed = parse_cert_id(case["id"])
    assert [parsed.type_code, parsed.issuer.code, parsed.serial, parsed.version] == case["parts"]


@pytest.mark.parametrize(
    "case", CERT["published_nonconforming"], ids=_ids(CERT["published_nonconforming"], "id")
)
def test_nonconforming_cert_id_fault(case: dict[str, Any]) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        parse_cert_id(case["id"])
    assert info.value.message == case["message"]
