"""Face data is checked field by field; every error names the field a clerk must fix."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certfree import certs
from factories.certificates import BUSINESS_LICENCE, ELDERLY_CARD, ID_CARD

ID_EXAMPLE = certs.cert_type(ID_CARD).example


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": None}, "name", "姓名（name）为必填项，未提供"),
        ({"birth_date": "1958/03/15"}, "birth_date", "应为 YYYY-MM-DD 格式的日期"),
        ({"sex": "M"}, "sex", "应为以下之一：男、女"),
        ({"id_number": "370102195803150138"}, "id_number", "不是有效的公民身份号码"),
        ({"name": 42}, "name", "应为文本"),
        ({"address": "路" * 200}, "address", "至多 128 个字符"),
        ({"favourite_colour": "蓝"}, "favourite_colour", "没有照面信息项"),
    ],
)
def test_face_data_errors_name_the_field(changes: dict[str, Any], field: str, message: str) -> None:
    kind = certs.cert_type(ID_CARD)
    with pytest.raises(certs.FaceDataInvalid, match=message) as raised:
        certs.check_face_data(kind, {**ID_EXAMPLE, **changes})
    assert raised.value.field == field
    assert raised.value.status == 422


def test_integer_fields_refuse_text_and_out_of_range() -> None:
    kind = certs.cert_type("11100000000013709K002")  # 出生医学证明
    with pytest.raises(certs.FaceDataInvalid, match="应为整数") as raised:
        certs.check_face_data(kind, {**kind.example, "weight_g": "3350"})
    assert raised.value.field == "weight_g"
    with pytest.raises(certs.FaceDataInvalid, match="不应大于 7000"):
        certs.check_face_data(kind, {**kind.example, "weight_g": 9000})


def test_optional_fields_may_be_left_out() -> None:
    kind = certs.cert_type("11100000000013709K002")
    face = {k: v for k, v in kind.example.items() if k not in {"father_name", "father_id_number"}}
    assert "father_name" not in certs.check_face_data(kind, face)


def test_holder_must_be_an_id_number_for_a_persons_type_and_a_uscc_for_a_firms() -> None:
    person = certs.cert_type(ID_CARD)
    face = certs.check_face_data(person, ID_EXAMPLE)
    with pytest.raises(certs.FaceDataInvalid, match="持证主体代码应为公民身份号码") as raised:
        certs.check_holder_id(person, "91370102MA3C5T8K4B", face)
    assert raised.value.field == "holder_id"
    firm = certs.cert_type(BUSINESS_LICENCE)
    with pytest.raises(certs.FaceDataInvalid, match="统一社会信用代码"):
        certs.check_holder_id(firm, "370102195803150139", face)


def test_holder_must_be_the_person_on_the_certificate() -> None:
    kind = certs.cert_type(ID_CARD)
    face = certs.check_face_data(kind, ID_EXAMPLE)
    with pytest.raises(certs.FaceDataInvalid, match="应与持证主体代码") as raised:
        certs.check_holder_id(kind, "37010219600702024X", face)
    assert raised.value.field == "id_number"


def test_lower_case_check_character_is_normalised() -> None:
    kind = certs.cert_type(ID_CARD)
    face = certs.check_face_data(kind, {**ID_EXAMPLE, "id_number": "37010219600702024x"})
    assert face["id_number"] == "37010219600702024X"


def test_elderly_card_needs_sixty_years_on_the_day_of_issue() -> None:
    kind = certs.cert_type(ELDERLY_CARD)
    face = certs.check_face_data(kind, {**kind.example, "birth_date": "1966-11-30"})
    with pytest.raises(certs.FaceDataInvalid, match="年满60周岁") as raised:
        certs.derive_predicates(kind, face, dt.date(2026, 11, 29))
    assert raised.value.field == "birth_date"
    on_birthday = certs.derive_predicates(kind, face, dt.date(2026, 11, 30))
    assert on_birthday == {
        "age_over_60": True,
        "age_over_65": False,
        "age_over_70": False,
        "age_over_80": False,
    }


@given(
    born=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)),
    on=st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2099, 12, 31)),
)
def test_age_predicates_agree_with_counting_birthdays(born: dt.date, on: dt.date) -> None:
    kind = certs.cert_type(ID_CARD)
    result = certs.derive_predicates(kind, {"birth_date": born.isoformat()}, on)
    birthdays = sum(1 for year in range(born.year + 1, on.year + 1) if _birthday(born, year) <= on)
    assert result == {"age_over_18": birthdays >= 18, "age_over_60": birthdays >= 60}


def _birthday(born: dt.date, year: int) -> dt.date:
    # Someone born on 29 February comes of age on 1 March in common years.
    if (born.month, born.day) == (2, 29):
        try:
            return dt.date(year, 2, 29)
        except ValueError:
            return dt.date(year, 3, 1)
    return born.replace(year=year)
