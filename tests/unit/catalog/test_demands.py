"""Demands: what a consuming department registers, and the faults it is told about."""

from __future__ import annotations

from typing import Any

import pytest

from certfree import catalog
from certfree.storage import Database


def demand(**changes: Any) -> dict[str, Any]:
    return {
        "department": "济南市人力资源和社会保障局",
        "department_code": "370100-RS",
        "scenario": "失业保险金申领",
        "text": "核验申请人的户口和社保缴费记录",
        "items": ["公民身份号码", "缴费月数"],
        "purpose": "确认申领资格，免交户口簿复印件",
        "legal_basis": "《失业保险条例》第十四条",
        "calls_per_day": 300,
    } | changes


def test_register_and_read_back(db: Database) -> None:
    with db.session() as session:
        row = catalog.register_demand(session, demand(items="公民身份号码、缴费月数"))
        shown = catalog.demand_json(catalog.get_demand(session, row.id))
    assert shown["items"] == ["公民身份号码", "缴费月数"]
    assert shown["calls_per_day"] == 300
    assert shown["scenario"] == "失业保险金申领"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"department": ""}, "department"),
        ({"scenario": ""}, "scenario"),
        ({"text": "", "items": []}, "text"),
        ({"purpose": ""}, "purpose"),
        ({"legal_basis": " "}, "legal_basis"),
        ({"calls_per_day": "很多"}, "calls_per_day"),
        ({"calls_per_day": -1}, "calls_per_day"),
    ],
)
def test_faults_name_the_field(db: Database, changes: dict[str, Any], field: str) -> None:
    with db.session() as session, pytest.raises(catalog.InvalidDemand) as caught:
        catalog.register_demand(session, demand(**changes))
    assert caught.value.field == field


def test_items_alone_are_enough(db: Database) -> None:
    with db.session() as session:
        row = catalog.register_demand(session, demand(text="", items=["不动产权证号"]))
    assert catalog.demand_query(row) == ("", ["不动产权证号"])


def test_unknown_demand(db: Database) -> None:
    with db.session() as session, pytest.raises(catalog.DemandNotFound, match="42"):
        catalog.get_demand(session, 42)
