"""The proof-list API and page as callers see them: roles, problems, publication formats."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi.testclient import TestClient

from factories.proofs import csv_bytes

ITEM: dict[str, Any] = {
    "code": "SD-1",
    "name": "无配偶证明",
    "fact": "申请人当前无配偶",
    "issuing_department": "村（居）民委员会",
    "ways": ["commitment", "data_sharing"],
    "legal_bases": [
        {"document_title": "婚姻登记条例", "level": "administrative_regulation",
         "article": "第五条", "document_number": "国务院令第387号"},
    ],
    "reason": "首批清单",
}  # fmt: skip


def test_bureau_admin_edits_others_are_refused(client: TestClient, token_for: Any) -> None:
    clerk = token_for("clerk", "desk-1")
    refused = client.post("/api/v1/proofs", json=ITEM, headers=clerk)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "bureau_admin" in refused.json()["detail"]
    admin = token_for("bureau_admin", "bureau-1")
    created = client.post("/api/v1/proofs", json=ITEM, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["ways"] == ["data_sharing", "commitment"]
    assert created.json()["status"] == "active"
    again = client.post("/api/v1/proofs", json=ITEM, headers=admin)
    assert again.status_code == 409
    report = client.get("/api/v1/proofs/abolition-report", headers=clerk)
    assert report.status_code == 403
    assert (
        client.get("/api/v1/proofs/abolition-report", headers=token_for("cio")).status_code == 200
    )


def test_unknown_item_is_404_problem_naming_the_code(client: TestClient) -> None:
    response = client.get("/api/v1/proofs/NO-SUCH-1")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/proof-item-not-found"
    assert "NO-SUCH-1" in body["detail"]


def test_bad_input_is_422_naming_the_field(client: TestClient, token_for: Any) -> None:
    admin = token_for("bureau_admin")
    wrong_way = client.post("/api/v1/proofs", json={**ITEM, "ways": ["pigeon"]}, headers=admin)
    assert wrong_way.status_code == 422
    assert wrong_way.json()["field"] == "ways.0"
    excluded = client.post(
        "/api/v1/proofs", json={**ITEM, "excluded_area": "public_safety"}, headers=admin
    )
    assert excluded.status_code == 422
    assert excluded.json()["field"] == "ways"
    assert "国办发〔2020〕42号" in excluded.json()["detail"]
    no_reason = client.post("/api/v1/proofs/publish", json={}, headers=admin)
    assert no_reason.status_code == 422
    assert no_reason.json()["field"] == "reason"
    bad_diff = client.get("/api/v1/proofs/diff", params={"from": "one", "to": 2})
    assert bad_diff.status_code == 422
    assert bad_diff.json()["field"] == "from"


def test_amend_add_basis_abolish_through_the_api(client: TestClient, token_for: Any) -> None:
    admin = token_for("bureau_admin", "bureau-1")
    weak = {
        **ITEM,
        "legal_bases": [{"document_title": "某市通知", "level": "normative_document"}],
    }
    flagged = client.post("/api/v1/proofs", json=weak, headers=admin).json()
    assert flagged["status"] == "to_abolish"
    assert "仅有规范性文件《某市通知》" in flagged["abolition_reason"]
    cited = client.post(
        "/api/v1/proofs/SD-1/bases",
        json={"document_title": "婚姻登记条例", "level": "administrative_regulation",
              "article": "第五条", "reason": "补充依据"},
        headers=admin,
    )  # fmt: skip
    assert cited.status_code == 201
    assert cited.json()["status"] == "active"
    patched = client.patch(
        "/api/v1/proofs/SD-1", json={"name": "单身证明", "reason": "改名"}, headers=admin
    )
    assert patched.json()["name"] == "单身证明"
    abolished = client.post("/api/v1/proofs/SD-1/abolish", json={"reason": "取消"}, headers=admin)
    assert abolished.json()["status"] == "abolished"
    later = client.patch("/api/v1/proofs/SD-1", json={"name": "x", "reason": "r"}, headers=admin)
    assert later.status_code == 409
    changes = client.get("/api/v1/proofs/changes", headers=admin).json()
    assert {c["kind"] for c in changes} >= {"add_item", "add_basis", "amend_item", "abolish_item"}
    assert {c["actor"] for c in changes} == {"bureau-1"}


def test_import_with_a_bad_row_stores_nothing(client: TestClient, token_for: Any) -> None:
    rows = [
        ["A-1", "户口簿", "户籍", "公安", "婚姻登记条例", "行政法规", "", "", "数据共享", "", ""],
        ["A-2", "证明", "事实", "部门", "某法", "法律", "", "", "信鸽", "", ""],
    ]  # fmt: skip
    response = client.post(
        "/api/v1/proofs/import",
        params={"filename": "list.csv"},
        content=csv_bytes(rows, encoding="gbk"),
        headers={**token_for("bureau_admin"), "Content-Type": "text/csv"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "/problems/proof-import-rejected"
    assert body["field"] == "办理方式"
    assert "第 3 行「办理方式」：无法识别的办理方式「信鸽」" in body["detail"]
    [error] = body["errors"]
    assert (error["row"], error["field"]) == (3, "办理方式")
    assert error["detail"].startswith("无法识别的办理方式「信鸽」；可填：")
    assert client.get("/api/v1/proofs/A-1").status_code == 404


def test_published_list_as_json_csv_and_page(client: TestClient, token_for: Any) -> None:
    assert client.get("/api/v1/proofs").status_code == 404
    assert "尚未发布" in client.get("/proofs").text
    admin = token_for("bureau_admin")
    client.post("/api/v1/proofs", json=ITEM, headers=admin)
    weak = {**ITEM, "code": "SD-2", "name": "社区居住证明", "legal_bases": []}
    client.post("/api/v1/proofs", json=weak, headers=admin)
    assert (
        client.post("/api/v1/proofs/publish", json={"reason": "首版"}, headers=admin).status_code
        == 201
    )

    listed = client.get("/api/v1/proofs").json()
    assert listed["version"]["number"] == 1
    assert [i["code"] for i in listed["items"]] == ["SD-1", "SD-2"]

    exported = client.get("/api/v1/proofs.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0]["证明事项名称"] == "无配偶证明"
    assert rows[0]["设定依据"] == "婚姻登记条例"
    assert rows[1]["状态"] == "拟取消"

    page = client.get("/proofs")
    assert page.status_code == 200
    assert "村（居）民委员会" in page.text
    assert "告知承诺" in page.text
    assert "《婚姻登记条例》（国务院令第387号）第五条" in page.text
    assert 'class="proof-status-to_abolish"' in page.text
    assert "无设定依据" in page.text
    english = client.get("/proofs", params={"lang": "en"})
    assert "Proof-item list" in english.text
    assert "To abolish" in english.text
    assert client.get("/proofs", params={"version": 9}).status_code == 404
