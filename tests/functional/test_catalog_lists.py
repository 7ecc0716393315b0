"""The two lists over HTTP and the CLI: publish, download in every format, parse back; reports;
and sharing requests through ``certfree catalog request|approve|refuse|grants``."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from certfree import catalog
from certfree.cli import app
from certfree.storage import Database
from factories.databases import migrated_database_url

runner = CliRunner()


def seed(session: Session) -> None:
    """Two resources (one conditional), a demand they meet and one nothing meets."""
    for name, share_type, provider in (
        ("户籍人口基本信息", "conditional", "370100-GA"),
        ("不动产登记信息", "unconditional", "370100-ZR"),
    ):
        catalog.create_resource(session, catalog.validate_resource({
            "class_code": "101", "name": name, "abstract": name, "provider": provider,
            "provider_code": provider, "format": "数据库",
            "items": [{"name": "公民身份号码"}, {"name": "户籍地址"}, {"name": "户口性质"}],
            "share_type": share_type, "share_conditions": "仅用于政务服务",
            "share_method": "api", "open_type": "not_open", "update_cycle": "daily",
            "released": "2024-03-01",
        }))  # fmt: skip
    for text in ("户籍人口基本信息", "火星车遥测数据"):
        catalog.register_demand(session, {
            "department": "济南市民政局", "department_code": "370100-MZ", "scenario": "婚姻登记",
            "text": text, "items": [], "purpose": "办理婚姻登记", "legal_basis": "《婚姻登记条例》",
        })  # fmt: skip


def test_published_lists_are_public_and_parse_back(
    client: TestClient, db: Database, token_for: Any
) -> None:
    with db.session() as session:
        seed(session)
    assert client.get("/api/v1/catalog/lists/supply/latest").status_code == 404
    body = {"date": "2026-11-01"}
    assert (
        client.post("/api/v1/catalog/lists", json=body, headers=token_for("cio")).status_code == 403
    )
    assert client.post("/api/v1/catalog/lists", json=body).status_code == 401
    made = client.post("/api/v1/catalog/lists", json=body, headers=token_for("bureau_admin"))
    assert made.status_code == 201, made.text
    assert {s["kind"] for s in made.json()} == {"supply", "demand"}

    listed = client.get("/api/v1/catalog/lists", params={"kind": "demand"})  # no token: public
    assert [s["date"] for s in listed.json()] == ["2026-11-01"]
    assert listed.json()[0]["counts"]["by_match_status"] == {"gap": 1, "matched": 1}

    as_json = client.get("/api/v1/catalog/lists/supply/2026-11-01")
    assert as_json.headers["content-type"].startswith("application/json")
    rows = as_json.json()["rows"]
    assert as_json.headers["x-content-sha256"] == as_json.json()["content_hash"]

    as_csv = client.get("/api/v1/catalog/lists/supply/latest", params={"format": "csv"})
    assert "catalog-supply-2026-11-01.csv" in as_csv.headers["content-disposition"]
    read = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert [r["code"] for r in read] == [r["code"] for r in rows]
    assert {r["share_type"] for r in read} == {"conditional", "unconditional"}

    as_xlsx = client.get("/api/v1/catalog/lists/demand/latest", params={"format": "xlsx"})
    book = load_workbook(io.BytesIO(as_xlsx.content), read_only=True)
    sheet = list(book["需求清单"].iter_rows(values_only=True))
    status = sheet[0].index("match_status")
    assert sorted(r[status] for r in sheet[1:]) == ["gap", "matched"]
    book.close()

    bad = client.get("/api/v1/catalog/lists/supply/latest", params={"format": "pdf"})
    assert bad.status_code == 422
    missing = client.get("/api/v1/catalog/lists/supply/2020-01-01")
    assert missing.status_code == 404
    assert missing.json()["type"].endswith("/list-not-published")

    report = client.get("/api/v1/catalog/reports", headers=token_for("cio"))
    assert report.status_code == 200
    assert len(report.json()["snapshots"]) == 2
    assert report.json()["requests_by_status"]["pending"] == 0
    assert client.get("/api/v1/catalog/reports").status_code == 401
    dept = client.app.state.node.tokens.issue("department_admin", "x", organisation="370100-MZ")  # type: ignore[attr-defined]
    denied = client.get("/api/v1/catalog/reports", headers={"Authorization": f"Bearer {dept}"})
    assert denied.status_code == 403


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with migrated_database_url(tmp_path) as url:
        db = Database(url)
        with db.session() as session:
            seed(session)
        db.dispose()
        yield {"CERTFREE_DATABASE_URL": url, "CERTFREE_KEY_DIR": str(tmp_path / "keys")}


def run(env: dict[str, str], *args: str) -> Any:
    result = runner.invoke(app, ["catalog", *args], env=env)
    assert result.exit_code == 0, result.output
    return result


def test_cli_publishes_and_exports(env: dict[str, str], tmp_path: Path) -> None:
    published = json.loads(run(env, "publish", "--date", "2026-11-01", "--json").stdout)
    supply = next(s for s in published if s["kind"] == "supply")
    summary = run(env, "publish", "--date", "2026-11-02").stdout.splitlines()
    assert [line.split("（")[0] for line in summary] == [
        "已发布供给清单 2026-11-02：2 条",
        "已发布需求清单 2026-11-02：2 条",
    ]
    assert supply["counts"]["by_share_type"] == {"conditional": 1, "unconditional": 1}
    for fmt in ("json", "csv", "xlsx"):
        out = tmp_path / f"supply.{fmt}"
        run(env, "lists", "--kind", "supply", "--format", fmt, "--out", str(out))
        assert out.stat().st_size > 0
    assert (
        json.loads((tmp_path / "supply.json").read_text())["content_hash"] == supply["content_hash"]
    )
    with (tmp_path / "supply.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 2
    book = load_workbook(tmp_path / "supply.xlsx", read_only=True)
    assert book.sheetnames == ["供给清单", "统计"]
    book.close()
    bad = runner.invoke(app, ["catalog", "lists", "--kind", "both", "--out", str(tmp_path / "x")],
                        env=env)  # fmt: skip
    assert bad.exit_code == 1
    assert "supply" in bad.output
    wrong_date = runner.invoke(app, ["catalog", "publish", "--date", "1.11.2026"], env=env)
    assert wrong_date.exit_code == 1


def cli_json(env: dict[str, str], command: str) -> Any:
    """``certfree catalog COMMAND --json`` (COMMAND split on spaces), parsed."""
    return json.loads(run(env, *command.split(), "--json").stdout)


def test_cli_request_approve_refuse_and_list(env: dict[str, str]) -> None:
    # ID numbers and addresses are graded sensitive: a legal basis, and the provider approves
    pending = cli_json(env, "request --demand 1 --resource 101/000001 --item 公民身份号码 "
                            "--item 户籍地址 --legal-basis consent")  # fmt: skip
    assert pending["status"] == "pending"
    # general data of an unconditionally shared resource is granted at once
    granted = run(env, "request", "--demand", "1", "--resource", "101/000002", "--item", "户口性质")
    assert "有效" in granted.stdout
    approved = cli_json(env, f"approve {pending['id']} --item 公民身份号码 --to 2027-06-30 "
                             "--note 仅身份 --level department --org 370100-GA")  # fmt: skip
    assert approved["data_items"] == ["公民身份号码"]
    assert approved["valid_to"].startswith("2027-06-29T16:00")  # midnight in Shanghai
    assert approved["decision_note"] == "仅身份"
    second = cli_json(env, "request --demand 2 --resource 101/000001 --legal-basis consent")
    refused = run(env, "refuse", str(second["id"]), "--reason", "需求与资源无关",
                  "--level", "department", "--org", "370100-GA").stdout  # fmt: skip
    assert "已拒绝" in refused
    assert "需求与资源无关" in refused
    listed = cli_json(env, "grants --status active")
    assert [g["resource_code"] for g in listed] == ["101/000001", "101/000002"]
    text = run(env, "grants", "--provider", "370100-GA").stdout
    assert text.startswith("共 2 项资源共享申请")
    again = runner.invoke(app, ["catalog", "approve", str(second["id"])], env=env)
    assert again.exit_code == 1
    assert "只有待审批的申请可以审批" in again.output
