"""The certificate type catalogue (GB/T 36902) read from the packaged data files."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from certfree import certs
from certfree.certs.types import _parse
from certfree.errors import ConfigurationError
from certfree.identifiers import make_cert_id, parse_cert_id, parse_uscc
from certfree.procedures.certificate_types import certificate_types as procedure_types

SEED_TYPES = {
    "居民身份证",
    "社会保障卡",
    "机动车驾驶证",
    "机动车行驶证",
    "老年人优待证",
    "营业执照",
}


def test_at_least_twenty_types_including_the_six_the_seed_names() -> None:
    catalogue = certs.cert_types()
    assert len(catalogue) >= 20
    assert {kind.name for kind in catalogue.values()} >= SEED_TYPES


@pytest.mark.parametrize("code", sorted(certs.cert_types()))
def test_type_code_embeds_a_valid_authority_uscc_and_builds_identifiers(code: str) -> None:
    kind = certs.cert_type(code)
    assert len(code) == 21
    assert parse_uscc(code[:18]).code == kind.authority_uscc
    identifier = make_cert_id(code, "11370100010000063K", "0000000001", 1)
    assert parse_cert_id(identifier).type_code == code


@pytest.mark.parametrize("code", sorted(certs.cert_types()))
def test_every_example_passes_its_own_schema(code: str) -> None:
    kind = certs.cert_type(code)
    face = certs.check_face_data(kind, kind.example)
    assert set(face) == set(kind.example)
    assert kind.holder_field is not None
    holder = certs.check_holder_id(kind, kind.example[kind.holder_field], face)
    assert len(holder) == 18
    assert all(1 <= item.grade <= 4 for item in kind.fields)


def test_types_the_service_items_name_are_in_the_catalogue() -> None:
    # Service items (certfree.procedures) name certificate types by code: they must exist here.
    assert set(procedure_types()) <= set(certs.cert_types())


def test_catalogue_json_carries_what_outside_tools_read() -> None:
    elderly = certs.cert_type("11100000000013709K001").to_json()
    assert elderly["holder_category"] == "person"
    assert elderly["holder_code_type"] == "111"
    assert {f["name"] for f in elderly["fields"]} >= {"name", "birth_date", "id_number"}
    assert {p["name"] for p in elderly["predicates"]} >= {"age_over_60"}
    licence = certs.cert_type("111000000000141036001").to_json()
    assert licence["holder_code_type"] == "001"


def test_unknown_type_is_404_naming_the_code() -> None:
    with pytest.raises(certs.CertTypeNotFound, match="11100000000013047R999"):
        certs.cert_type("11100000000013047R999")


def _raw(slug: str) -> dict[str, Any]:
    folder = resources.files("certfree.certs") / "data" / "types"
    return dict(json.loads((folder / f"{slug}.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw.update(code="11100000000013047X001"), "authority's USCC"),
        (lambda raw: raw["fields"][0].update(grade=7), "未知的数据级别 7"),
        (lambda raw: raw["fields"][0].update({"class": "secret"}), "未知的数据分类 'secret'"),
        # the holder's name is personal information (grade 2): never graded below it
        (lambda raw: raw["fields"][0].update(grade=1), "就高从严"),
        (lambda raw: raw["fields"][0].update(name="vct"), "reserved"),
        (lambda raw: raw.update(holder_field="name"), "holder_field"),
    ],
)
def test_a_malformed_data_file_is_refused(change: Any, message: str) -> None:
    raw = _raw("elderly_card")
    change(raw)
    with pytest.raises(ConfigurationError, match=message):
        _parse(raw, "elderly_card.json")
