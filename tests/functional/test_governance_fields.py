"""The bureau sees, for every labelled field, its class, grade and how it is masked: through
``GET /api/v1/governance/fields`` and ``certfree governance fields --json``."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from certfree import catalog
from certfree.cli import app
from certfree.settings import Settings
from certfree.storage import Database
from factories.catalog_resources import resource_data
from helpers.cli import node_env

runner = CliRunner()


def _add_resource(db: Database) -> str:
    items = [
        {"name": "公民身份号码", "classification": "sensitive.identity", "grade": 5},
        {"name": "联系电话", "classification": "personal.contact"},
    ]
    with db.session() as session:
        row = catalog.create_resource(
            session, catalog.validate_resource(resource_data(items=items))
        )
        return row.code


def _row(rows: list[dict[str, Any]], source: str, owner: str, field: str) -> dict[str, Any]:
    found = [r for r in rows if (r["source"], r["owner"], r["field"]) == (source, owner, field)]
    assert len(found) == 1, (source, owner, field)
    return found[0]


def test_the_bureau_and_the_cio_see_how_every_field_is_masked(
    client: TestClient, db: Database, token_for: Any
) -> None:
    code = _add_resource(db)
    assert client.get("/api/v1/governance/fields").status_code == 401
    assert client.get("/api/v1/governance/fields", headers=token_for("clerk")).status_code == 403
    for role in ("bureau_admin", "cio"):
        response = client.get("/api/v1/governance/fields", headers=token_for(role))
        assert response.status_code == 200, response.text
    rows = response.json()["fields"]
    name = _row(rows, "certificate", "11100000000013047R001", "name")
    assert (name["class"], name["grade"], name["mask"]) == ("personal.name", 2, "name")
    assert (name["example"], name["example_masked"]) == ("王建国", "王*")
    assert (name["owner_name_en"], name["label_en"]) == ("Resident identity card", "Name")
    identity = _row(rows, "certificate", "11100000000013047R001", "id_number")
    assert (identity["mask"], identity["example_masked"]) == ("id_number", "3701**********0029")
    # Graded important, the ID number of the catalog item is hidden whatever its class's rule.
    item = _row(rows, "catalog", code, "公民身份号码")
    assert (item["class"], item["grade"], item["mask"]) == ("sensitive.identity", 5, "hidden")
    assert item["example_masked"] == "***"
    phone = _row(rows, "catalog", code, "联系电话")
    assert (phone["mask"], phone["example_masked"]) == ("phone", "138****5678")
    status = _row(rows, "question", "marital_status", "status")
    assert (status["class"], status["mask"]) == ("sensitive.family", "hidden")
    assert (status["label"], status["label_en"]) == (
        "婚姻状况（未婚、已婚、离婚、丧偶）",
        "marital status",
    )
    assert item["label_en"] is None  # a catalog describes its items in Chinese only


def test_the_command_prints_the_same_view(settings: Settings, db: Database) -> None:
    code = _add_resource(db)
    result = runner.invoke(app, ["governance", "fields", "--json"], env=node_env(settings))
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["fields"]
    assert _row(rows, "catalog", code, "联系电话")["mask"] == "phone"
    assert _row(rows, "certificate", "11100000000013047R001", "name")["example_masked"] == "王*"
    table = runner.invoke(app, ["governance", "fields"], env=node_env(settings))
    assert table.exit_code == 0, table.output
    rows_shown = len(rows)
    assert f"字段的分类、级别与脱敏（{rows_shown} 项）" in table.stdout
    assert "来源" in table.stdout
    english = runner.invoke(app, ["--lang", "en", "governance", "fields"], env=node_env(settings))
    assert english.exit_code == 0, english.output
    assert f"Fields: class, grade and masking ({rows_shown})" in english.stdout
    assert "Source" in english.stdout
