"""Exports carry no formulas (OWASP "CSV Injection"), and what they write re-imports unchanged:
the proof list's CSV (also after an item in it was abolished) and the catalog's published
lists as CSV and XLSX, downloaded and uploaded as a user would."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook  # type: ignore[import-untyped]

from certfree import catalog
from certfree.storage import Database

FORMULA = "=cmd|' /C calc'!A0"
STARTS = ("=", "+", "-", "@", "\t", "\r")
Tokens = Callable[..., dict[str, str]]


def _csv_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _no_formulas(cells: list[list[Any]]) -> None:
    for row in cells:
        for cell in row:
            assert not (isinstance(cell, str) and cell.startswith(STARTS)), cell


def test_the_proof_list_csv_escapes_formulas_and_reimports_after_an_abolition(
    client: TestClient, token_for: Tokens
) -> None:
    admin = token_for("bureau_admin")
    item: dict[str, Any] = {
        "code": "SD-1", "name": FORMULA, "fact": "+1 申请人无配偶", "note": "@SUM(A1:A9)",
        "issuing_department": "-村（居）民委员会", "ways": ["commitment"],
        "legal_bases": [{"document_title": "婚姻登记条例", "level": "administrative_regulation",
                         "article": "=第五条", "document_number": "国务院令第387号"}],
        "reason": "首批清单",
    }  # fmt: skip
    assert client.post("/api/v1/proofs", json=item, headers=admin).status_code == 201
    other = {**item, "code": "SD-2", "name": "居住证明", "note": None}
    assert client.post("/api/v1/proofs", json=other, headers=admin).status_code == 201
    published = client.post("/api/v1/proofs/publish", json={"reason": "首版"}, headers=admin)
    assert published.status_code == 201

    exported = client.get("/api/v1/proofs.csv").content
    cells = _csv_cells(exported)
    _no_formulas(cells)
    first = dict(zip(cells[0], cells[1], strict=True))
    assert first["证明事项名称"] == "'" + FORMULA  # shown as text, never run
    assert first["备注"] == "'@SUM(A1:A9)"

    # The list is exported, then an item in it is abolished, then the export re-imported.
    abolished = client.post(
        "/api/v1/proofs/SD-2/abolish", json={"reason": "国务院决定取消"}, headers=admin
    )
    assert abolished.status_code == 200, abolished.text
    reimported = client.post(
        "/api/v1/proofs/import",
        params={"filename": "proof-list-v1.csv"},
        content=exported,
        headers={**admin, "Content-Type": "text/csv"},
    )
    assert reimported.status_code == 200, reimported.text
    report = reimported.json()
    assert (report["unchanged"], report["abolished"], report["added"]) == (["SD-1"], ["SD-2"], [])
    shown = client.get("/api/v1/proofs/SD-1").json()
    assert (shown["name"], shown["fact"], shown["note"]) == (FORMULA, item["fact"], item["note"])
    assert shown["issuing_department"] == item["issuing_department"]
    assert shown["legal_bases"][0]["article"] == "=第五条"
    assert client.get("/api/v1/proofs/SD-2").json()["status"] == "abolished"


def _resource(session: Any, name: str, provider: str, url: str) -> None:
    catalog.create_resource(session, catalog.validate_resource({
        "class_code": "101", "name": name, "abstract": "常住人口的户籍信息", "provider": provider,
        "provider_code": "370100-GA", "format": "数据库", "region": "济南市", "theme": "人口",
        "items": [{"name": "+公民身份号码"}, {"name": "户籍地址"}], "share_type": "conditional",
        "share_conditions": "-仅用于政务服务", "share_method": "api", "open_type": "not_open",
        "update_cycle": "daily", "released": "2024-03-01", "source_url": url,
    }))  # fmt: skip


def test_the_published_lists_escape_formulas_and_reimport_as_the_same_resources(
    client: TestClient, db: Database, token_for: Tokens
) -> None:
    with db.session() as session:
        _resource(session, FORMULA, "@济南市公安局", "http://data.example/1")
        _resource(session, "不动产登记信息", "济南市自然资源和规划局", "http://data.example/2")
        catalog.register_demand(session, {
            "department": "=济南市民政局", "department_code": "370100-MZ", "scenario": "婚姻登记",
            "text": "\t户籍人口基本信息", "items": [], "purpose": "+办理婚姻登记",
            "legal_basis": "《婚姻登记条例》",
        })  # fmt: skip
        before = [catalog.resource_json(r) for r in catalog.list_resources(session)]
    admin = token_for("bureau_admin")
    made = client.post("/api/v1/catalog/lists", json={"date": "2026-11-01"}, headers=admin)
    assert made.status_code == 201, made.text

    supply_csv = client.get("/api/v1/catalog/lists/supply/latest", params={"format": "csv"})
    demand_csv = client.get("/api/v1/catalog/lists/demand/latest", params={"format": "csv"})
    supply_xlsx = client.get("/api/v1/catalog/lists/supply/latest", params={"format": "xlsx"})
    for download in (supply_csv, demand_csv):
        _no_formulas(_csv_cells(download.content))
    assert "'" + FORMULA in supply_csv.content.decode("utf-8-sig")
    assert "'=济南市民政局" in demand_csv.content.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(supply_xlsx.content), read_only=True)
    for sheet in book.worksheets:
        _no_formulas([list(row) for row in sheet.iter_rows(values_only=True)])
    book.close()

    # Uploaded back as a catalog file: the same resources, every field as it was.
    for name, data in (("supply.csv", supply_csv.content), ("supply.xlsx", supply_xlsx.content)):
        response = client.post(
            "/api/v1/catalog/import",
            params={"filename": name},
            content=data,
            headers={**admin, "Content-Type": "application/octet-stream"},
        )
        assert response.status_code == 200, response.text
        assert (response.json()["created"], response.json()["updated"]) == (0, 2)
        with db.session() as session:
            after = [catalog.resource_json(r) for r in catalog.list_resources(session)]
        assert after == before
