"""Fields never disclosed alone: the rule read from each type's data, and the catalogue
refusing a type that would leave it undefined."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from certfree import certs
from certfree.certs.disclosure import lone_disclosure
from certfree.certs.types import _parse
from certfree.errors import ConfigurationError
from factories.certificates import BUSINESS_LICENCE, ID_CARD

VEHICLE_LICENCE = next(k.code for k in certs.cert_types().values() if k.slug == "vehicle_licence")


@pytest.mark.parametrize("code", sorted(certs.cert_types()))
def test_every_field_never_shown_alone_has_a_companion_in_its_type(code: str) -> None:
    kind = certs.cert_type(code)
    assert kind.disclose_with
    assert "holder_id" in kind.disclose_with
    for name in kind.disclose_with:
        companion = kind.field(name)
        assert name == "holder_id" or (companion is not None and companion.disclose_alone)
    for item in kind.fields:
        if item.name == kind.holder_field:  # the face copy of holder_id identifies by itself
            assert lone_disclosure(kind, [item.name]) is None
        elif not item.disclose_alone:
            breach = lone_disclosure(kind, [item.name])
            assert breach is not None
            assert breach.fields == (item,)
            assert lone_disclosure(kind, [item.name, kind.disclose_with[0]]) is None


def test_the_rule_names_the_fields_and_what_may_go_beside_them() -> None:
    card = certs.cert_type(ID_CARD)
    breach = lone_disclosure(card, ["age_over_18", "address", "sex"])
    assert breach is not None
    assert breach.message_zh == "居民身份证的性别、住址不得单独披露，须同时披露姓名或持证主体代码"
    assert breach.message == (
        "Sex, Address may not be disclosed alone on a Resident identity card: "
        "disclose Name or holder code with it"
    )
    # The holder's ID number is the face copy of the holder code: it identifies the holder.
    assert lone_disclosure(card, ["address", "id_number"]) is None
    # Predicates, the holder code and fields shown alone need nothing beside them.
    assert lone_disclosure(card, ["age_over_18", "holder_id", "name", "issuing_authority"]) is None
    assert lone_disclosure(card, []) is None
    firm = certs.cert_type(BUSINESS_LICENCE)
    assert lone_disclosure(firm, ["address", "uscc"]) is None
    assert lone_disclosure(firm, ["address"]) is not None
    vehicle = certs.cert_type(VEHICLE_LICENCE)
    assert lone_disclosure(vehicle, ["owner_name", "plate"]) is None


def _raw(slug: str) -> dict[str, Any]:
    folder = resources.files("certfree.certs") / "data" / "types"
    return dict(json.loads((folder / f"{slug}.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw.pop("disclose_with"), "never disclosed alone: disclose_with names none"),
        (lambda raw: raw.update(disclose_with=["birth_date"]), "disclose_with birth_date"),
        (lambda raw: raw.update(disclose_with=["nickname"]), "disclose_with nickname"),
        (lambda raw: raw["derived"][0].update(maximum=151), "1 <= minimum <= maximum <= 150"),
        (lambda raw: raw["derived"][0].update(field="name"), "derived age_at_least"),
        (lambda raw: raw["derived"][1].update(field="address"), "must be 6 characters"),
        (lambda raw: raw["derived"].append({"kind": "height", "field": "name"}), "derived height"),
    ],
)
def test_a_type_with_an_undefined_rule_or_derivation_is_refused(change: Any, message: str) -> None:
    raw = _raw("resident_id_card")
    change(raw)
    with pytest.raises(ConfigurationError, match=message):
        _parse(raw, "resident_id_card.json")
