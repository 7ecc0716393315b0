"""The one vocabulary of data classes and grades: complete, cited, and strict on input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from certfree import classification
from certfree.classification import Personal
from certfree.cli import app
from certfree.errors import InvalidInput


def test_every_class_has_a_known_grade_a_mask_and_a_cited_basis() -> None:
    grades = {g.grade for g in classification.grades()}
    assert grades == {1, 2, 3, 4, 5, 6}
    for kind in classification.classes():
        assert kind.grade in grades
        assert kind.mask
        assert "法" in kind.basis or "GB/T" in kind.basis, kind.code


def test_the_sensitive_personal_information_of_the_law_is_all_there() -> None:
    # 个人信息保护法 第28条: biometrics, specific identity and religion, health, financial
    # accounts, whereabouts, children under 14; ID numbers after GB/T 35273-2020 表B.2.
    sensitive = {k.code for k in classification.classes() if k.personal is Personal.SENSITIVE}
    for code in ("biometric", "specific_identity", "health", "financial_account", "whereabouts",
                 "minor", "identity"):  # fmt: skip
        assert f"sensitive.{code}" in sensitive
    assert classification.class_of("公民身份号码").code == "sensitive.identity"


def test_an_unknown_class_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        classification.class_of("绝密信息", field="items[0].classification")
    assert caught.value.field == "items[0].classification"
    assert "sensitive.identity" in str(caught.value)


def test_a_field_may_be_graded_above_its_class_never_below() -> None:
    identity = classification.class_of("sensitive.identity")
    assert classification.field_grade(identity, None) == 3
    assert classification.field_grade(identity, 4) == 4
    with pytest.raises(InvalidInput, match="就高从严"):
        classification.field_grade(identity, 2)
    with pytest.raises(InvalidInput, match="未知的数据级别 7"):
        classification.field_grade(identity, 7)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("父亲有效身份证件号码", "sensitive.identity"),
        ("联系电话", "personal.contact"),
        ("户籍地址", "personal.address"),
        ("出生体重（克）", "sensitive.health"),
        ("婚姻状况", "sensitive.family"),
        ("登记机关", "organisation"),
        ("发证日期", "public_affairs"),
    ],
)
def test_a_class_is_suggested_from_a_data_items_name(name: str, code: str) -> None:
    assert classification.suggest_class(name).code == code


def test_the_cli_prints_the_vocabulary_with_code_name_grade_and_basis() -> None:
    result = CliRunner().invoke(app, ["governance", "classes", "--json"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)["classes"]
    identity = next(i for i in items if i["code"] == "sensitive.identity")
    assert identity["name"] == "身份证件号码"
    assert identity["grade"] == 3
    assert "个人信息保护法 第28条" in identity["basis"]


def test_the_grade_table_in_the_docs_is_the_vocabulary() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "governance.md").read_text("utf-8")
    for kind in classification.classes():
        assert f"| `{kind.code}` | {kind.name} · {kind.name_en} | {kind.grade} |" in docs
    for grade in classification.grades():
        assert f"| {grade.grade} | {grade.level} | {grade.name} · {grade.name_en} |" in docs
