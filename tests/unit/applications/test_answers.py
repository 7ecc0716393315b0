"""Whether a data-sharing answer establishes a requirement: by the answer the item expects."""

from __future__ import annotations

from typing import Any

import pytest

from certfree.applications.evidence import answer_satisfies

NO_SPOUSE = {"status": ["unmarried", "divorced", "widowed"]}


@pytest.mark.parametrize(
    ("result", "expect", "met"),
    [
        ({"status": "divorced"}, NO_SPOUSE, True),
        ({"status": "married"}, NO_SPOUSE, False),
        # Nothing expected: an enum is taken as it comes, every yes/no must be yes.
        ({"status": "married"}, None, True),
        ({"owns": True, "count": 0}, {}, True),
        ({"owns": False, "count": 2}, None, False),
        # Values compare with their type: a yes is not 1, a count of 1 is not a yes.
        ({"at_least": True}, {"at_least": [1]}, False),
        ({"count": 1}, {"count": [True]}, False),
        ({"count": 1}, {"count": [1, 2]}, True),
        ({"at_least": False}, {"at_least": [False]}, True),
        # A field the answer does not carry matches nothing.
        ({"owns": True}, {"count": [1]}, False),
    ],
)
def test_an_answer_meets_the_requirement_only_with_the_expected_value(
    result: dict[str, Any], expect: dict[str, list[Any]] | None, met: bool
) -> None:
    assert answer_satisfies(result, expect) is met
