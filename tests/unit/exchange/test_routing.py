"""Next hops of the 1+16+N cascade: up to the common ancestor, then down."""

from __future__ import annotations

import pytest

from certfree.exchange.errors import MessageRefused
from certfree.exchange.protocol.routing import forward_hop, next_hop, parent_of, path


@pytest.mark.parametrize(
    ("code", "parent"),
    [
        ("370000", None),
        ("370100", "370000"),
        ("370100-MZ", "370100"),
        ("370000-MZ", "370000"),
        ("370102", "370100"),
    ],
)
def test_parent_of_a_node_follows_from_its_code(code: str, parent: str | None) -> None:
    assert parent_of(code) == parent


@pytest.mark.parametrize(
    ("me", "target", "hop"),
    [
        ("370200", "370100-MZ", "370000"),  # another city's department: up to the province
        ("370000", "370100-MZ", "370100"),  # the province goes down through the city
        ("370100", "370100-MZ", "370100-MZ"),  # own department: straight down
        ("370100-MZ", "370100", "370100"),  # a department answers its city directly
        ("370100-MZ", "370200-GA", "370100"),  # a department always climbs first
        ("370100", "370000-MZ", "370000"),  # provincial departments hang off the province
        ("370000", "370000-MZ", "370000-MZ"),
        ("370100-MZ", "370100-MZ", None),  # arrived
    ],
)
def test_next_hop_table(me: str, target: str, hop: str | None) -> None:
    assert next_hop(me, target) == hop


def test_a_city_reaches_another_citys_department_only_through_the_province() -> None:
    assert path("370200-GA", "370100-MZ") == [
        "370200-GA",
        "370200",
        "370000",
        "370100",
        "370100-MZ",
    ]
    assert path("370100-MZ", "370200") == ["370100-MZ", "370100", "370000", "370200"]


def test_a_city_refuses_to_pass_on_what_is_neither_below_it_nor_climbing_from_below() -> None:
    # The province sent 370100 a message between two other cities: a loop, refused.
    with pytest.raises(MessageRefused) as refused:
        forward_hop("370100", "370200", "370300-MZ")
    assert refused.value.reason == "wrong_receiver"
    assert forward_hop("370100", "370100-MZ", "370200") == "370000"
    assert forward_hop("370100", "370200", "370100-MZ") == "370100-MZ"


def test_a_node_of_another_province_is_unreachable() -> None:
    with pytest.raises(MessageRefused) as refused:
        next_hop("370000", "410100-MZ")
    assert refused.value.reason == "wrong_receiver"


@pytest.mark.parametrize("code", ["37010", "370100-mz", "370100-MZX", "", "070100"])
def test_a_malformed_code_is_refused(code: str) -> None:
    with pytest.raises(MessageRefused) as refused:
        parent_of(code)
    assert refused.value.reason == "malformed"
