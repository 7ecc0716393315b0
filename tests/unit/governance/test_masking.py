"""Named masking rules, generated from tests/vectors/masking.json, and who sees a value whole."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from certfree import classification
from certfree.governance.masking import MaskRule, disclose, mask_text, mask_value, rule_for

VECTORS = json.loads(
    (Path(__file__).parents[2] / "vectors" / "masking.json").read_text(encoding="utf-8")
)["vectors"]


@pytest.mark.parametrize(
    "vector",
    VECTORS,
    ids=[f"{v['rule']}:{json.dumps(v['value'], ensure_ascii=False)}" for v in VECTORS],
)
def test_vector(vector: dict[str, Any]) -> None:
    assert mask_value(vector["rule"], vector["value"]) == vector["masked"]


def test_every_rule_has_vectors_and_every_class_names_a_rule() -> None:
    assert {v["rule"] for v in VECTORS} == {rule.value for rule in MaskRule}
    for kind in classification.classes():
        assert MaskRule(kind.mask), kind.code


def test_an_unknown_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="initials"):
        mask_text("initials", "王建国")


def test_id_numbers_and_phones_keep_their_length() -> None:
    for rule, value in (("id_number", "370102199003070029"), ("phone", "13812345678")):
        assert len(mask_text(rule, value)) == len(value)
        assert mask_text(rule, value) != value


def test_a_granted_field_is_whole_and_any_other_masked_by_its_class() -> None:
    person = {"name": "王建国", "id_number": "370102199003070029", "phone": "13812345678"}
    classes = {"name": "personal.name", "id_number": "sensitive.identity", "phone": "联系电话"}
    shown = {
        field: disclose(value, classes[field], field=field, granted={"phone"})
        for field, value in person.items()
    }
    assert shown == {"name": "王*", "id_number": "3701**********0029", "phone": "13812345678"}


def test_important_and_core_data_are_hidden_whatever_the_class() -> None:
    assert rule_for("personal.name") is MaskRule.NAME
    assert rule_for("personal.name", grade=5) is MaskRule.HIDDEN
    assert rule_for("core") is MaskRule.HIDDEN
    assert disclose("王建国", "personal.name", field="name", granted=(), grade=5) == "***"
    # A class that needs no mask is shown whole without a grant.
    assert disclose("济南市民政局", "organisation", field="organ", granted=()) == "济南市民政局"


def test_the_examples_in_the_docs_are_what_the_rules_show() -> None:
    docs = (Path(__file__).parents[3] / "docs" / "governance.md").read_text(encoding="utf-8")
    section = docs.split("## Masking", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \|[^\n]*\| `([^`]*)` \| `([^`]*)` \|$", section, re.M)
    assert {rule for rule, _, _ in rows} == {rule.value for rule in MaskRule}
    for rule, value, shown in rows:
        assert mask_text(rule, value) == shown, (rule, value)
