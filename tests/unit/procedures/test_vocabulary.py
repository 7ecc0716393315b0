"""Questions, the requirement notation, service-item codes and the packaged data files."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from certfree import procedures
from certfree.demo.service_items import demo_specs
from certfree.errors import InvalidInput
from certfree.procedures.certificate_types import check_type_code
from certfree.procedures.codes import check_code, division_in_code, level_of_division
from certfree.procedures.realisations import realisations
from certfree.procedures.vocab import ServiceLevel, parse_level
from certfree.questions import (
    check_evidence_expect,
    check_evidence_parameters,
    get_question,
    parse_parameters,
)

PROOF_DATA = Path(procedures.__file__).parent.parent / "demo" / "data" / "proof_items.csv"


def test_question_parameters_are_checked_with_a_readable_reason() -> None:
    assert check_evidence_parameters("age_at_least", {"years": 60}) == {"years": 60}
    assert get_question("age_at_least").department.name_zh == "公安"
    with pytest.raises(InvalidInput, match="需要参数 years（周岁）"):
        check_evidence_parameters("age_at_least", {})
    with pytest.raises(InvalidInput, match="应在 0 到 150 之间，收到 200"):
        check_evidence_parameters("age_at_least", {"years": 200})
    with pytest.raises(InvalidInput, match="没有参数 colour"):
        check_evidence_parameters("marital_status", {"colour": "red"})
    with pytest.raises(InvalidInput, match="应为 pension、medical"):
        check_evidence_parameters("social_insurance_enrolled", {"kind": "dental"})
    with pytest.raises(InvalidInput, match="没有名为 is_married 的数据共享问题"):
        check_evidence_parameters("is_married", {})
    # The parties' identifiers come from the application, never from the service item.
    with pytest.raises(InvalidInput, match="问题 marital_status 没有参数 id_number"):
        check_evidence_parameters("marital_status", {"id_number": "110105194912310038"})
    assert check_evidence_parameters("has_driving_licence", {"licence_class": "C1"}) == {
        "class": "C1"
    }
    assert parse_parameters("is_resident_of", "division=370100") == {"division": "370100"}


def test_notation_round_trips_and_quotes_the_bad_part() -> None:
    text = (
        "申请人婚姻状况：data:marital_status | proof:SD-ZM-MZ-004；"
        "申请人年满60周岁：数据：age_at_least(years=60)"
        " | 证明:SD-ZM-RS-002 + cert:11100000000013047R001"
    )
    parsed = procedures.parse_requirements(text)
    assert [r.description for r in parsed] == ["申请人婚姻状况", "申请人年满60周岁"]
    assert parsed[1].alternatives[0][0].parameters == {"years": 60}
    assert len(parsed[1].alternatives[1]) == 2
    assert procedures.parse_requirements(procedures.format_requirements(parsed)) == parsed
    about = procedures.parse_requirements(
        "被投靠人住房@被投靠人：data:owns_property；"
        "年满60周岁：cert:11100000000013047R001(predicate=age_over_60)"
    )
    assert [r.party for r in about] == ["host", "applicant"]
    assert about[1].alternatives[0][0].parameters == {"predicate": "age_over_60"}
    assert procedures.format_requirements(about).startswith("被投靠人住房@host：")
    assert procedures.parse_requirements(procedures.format_requirements(about)) == about
    with pytest.raises(InvalidInput, match="「住房@landlord：data:owns_property」：当事人"):
        procedures.parse_requirements("住房@landlord：data:owns_property")
    with pytest.raises(InvalidInput, match="「婚姻」应写作 条件说明：材料"):
        procedures.parse_requirements("婚姻")
    with pytest.raises(InvalidInput, match="「paper:X」应写作 proof:编码"):
        procedures.parse_requirements("婚姻：paper:X")


NO_SPOUSE = {"status": ["unmarried", "divorced", "widowed"]}


def test_the_expected_answer_is_written_in_brackets_and_round_trips() -> None:
    text = (
        "申请人婚姻状况（无配偶）：data:marital_status[status=unmarried/divorced/widowed]"
        " | proof:SD-ZM-MZ-004 [status=unmarried/divorced/widowed]；"
        "申请人年满60周岁：data:age_at_least(years=60)[at_least=true]"
        " | cert:11100000000013047R001(predicate=age_over_60)；"
        "住所：数据：owns_property[owns=TRUE, count=1/2]"
    )
    parsed = procedures.parse_requirements(text)
    (data,), (proof,) = parsed[0].alternatives
    assert (data.expect, proof.expect) == (NO_SPOUSE, NO_SPOUSE)
    (age,), (card,) = parsed[1].alternatives
    assert (age.parameters, age.expect, card.expect) == ({"years": 60}, {"at_least": [True]}, {})
    # Typed as the answer field is: a yes is True (not the text), a count an integer.
    assert parsed[2].alternatives[0][0].expect == {"owns": [True], "count": [1, 2]}
    written = procedures.format_requirements(parsed)
    assert "data:marital_status[status=unmarried/divorced/widowed] | " in written
    assert "data:age_at_least(years=60)[at_least=true]" in written
    assert procedures.parse_requirements(written) == parsed
    assert procedures.format_requirements(procedures.parse_requirements(written)) == written


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (
            "婚姻：data:marital_status[status]",
            "「data:marital_status[status]」：期望答复应写作 字段=值/值",
        ),
        ("婚姻：data:marital_status[status=unmarried/]", "期望答复应写作 字段=值/值"),
        ("婚姻：data:marital_status[]", "方括号中应写期望答复"),
        ("年龄：data:age_at_least(years=60)[at_least=yes]", "期望值应为 true 或 false，收到 'yes'"),
        ("住所：data:owns_property[count=two]", "期望值应为 整数，收到 'two'"),
    ],
)
def test_a_malformed_expected_answer_is_quoted(cell: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        procedures.parse_requirements(cell)


def test_expected_answers_must_be_what_the_question_answers() -> None:
    assert check_evidence_expect("marital_status", NO_SPOUSE) == NO_SPOUSE
    assert check_evidence_expect("marital_status", {"status": ["widowed", "widowed"]}) == {
        "status": ["widowed"]
    }
    assert check_evidence_expect("age_at_least", {"at_least": [False]}) == {"at_least": [False]}


@pytest.mark.parametrize(
    ("question", "expect", "message"),
    [
        ("marital_status", {"colour": ["red"]}, "没有可期望的字段 colour（可用字段：status）"),
        # Only core fields: the others appear only where the grant allows their data items.
        ("owns_property", {"count": [1]}, "answer to owns_property has no field count"),
        (
            "marital_status",
            {"status": ["engaged"]},
            "应为 unmarried、married、divorced、widowed 之一，收到 'engaged'",
        ),
        ("marital_status", {"status": []}, "应列出 1 到 8 个期望值，收到 0 个"),
        ("age_at_least", {"at_least": [1]}, "应为 true 或 false，收到 1"),
        ("age_at_least", {"at_least": ["true"]}, "should be true or false"),
    ],
)
def test_an_expected_answer_the_question_cannot_give_is_refused(
    question: str, expect: dict[str, list[str | bool | int]], message: str
) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)) as caught:
        check_evidence_expect(question, expect)
    assert caught.value.field == "expect"


@pytest.mark.parametrize(
    ("division", "level"),
    [
        ("370000", ServiceLevel.PROVINCE),
        ("370100000000", ServiceLevel.CITY),
        ("511602000000", ServiceLevel.COUNTY),
        ("370102", ServiceLevel.COUNTY),
    ],
)
def test_level_follows_the_division(division: str, level: ServiceLevel) -> None:
    assert level_of_division(division) == level


def test_codes_and_levels_in_words() -> None:
    code = "511A0138000000-511602000000-000-115113010833722043-1-00"
    assert check_code(f" {code} ") == code
    assert division_in_code(code) == "511602000000"
    with pytest.raises(InvalidInput, match="只能由字母、数字和连字符"):
        check_code("511A 0138")
    assert parse_level("县级") is ServiceLevel.COUNTY
    with pytest.raises(InvalidInput, match="层级应为 省级、市级 或 县级"):
        parse_level("乡级")


def test_certificate_type_codes_are_well_formed() -> None:
    for code in procedures.certificate_types():
        assert check_type_code(code) == code
    with pytest.raises(InvalidInput, match="制定机关的统一社会信用代码有误"):
        check_type_code("11100000000013047X001")
    with pytest.raises(InvalidInput, match="应为 21 位"):
        check_type_code("111")


def test_realisations_name_listed_proofs_known_questions_and_types() -> None:
    with PROOF_DATA.open(encoding="utf-8") as handle:
        listed = {row["证明事项编码"] for row in csv.DictReader(handle)}
    for code, found in realisations().items():
        assert code in listed, code
        if found.question:
            check_evidence_parameters(found.question, found.parameters)
        for type_code in found.certificate_types:
            assert type_code in procedures.certificate_types(), type_code


def test_demo_items_cover_the_pilot_scenarios() -> None:
    names = {spec.name for spec in demo_specs()}
    assert {
        "内地居民结婚登记",
        "投靠亲属落户",
        "不动产转移登记",
        "老年人优待证办理",
        "企业设立登记",
    } <= names
