"""Repealing a law flags the proof items resting on it and the service items using them."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from certfree.demo import load_demo_items, load_demo_list
from certfree.storage import Database

MOVE_IN = "371A0201000000-370100000000-000-11370100010000012B-1-00"  # 投靠亲属落户
UNTOUCHED = "371A0101000000-370100000000-000-113701000100000206-1-00"  # 结婚登记


def test_repeal_through_the_api_flags_items_and_the_services_using_them(
    client: TestClient, db: Database, token_for: Any
) -> None:
    with db.session() as session:
        load_demo_list(session, "demo")
        load_demo_items(session, "demo")
    before = client.get(f"/api/v1/procedures/{MOVE_IN}", headers=token_for("clerk")).json()
    assert before["status"] == "active"

    response = client.post(
        "/api/v1/legal-documents/中华人民共和国户口登记条例/repeal",
        json={"reason": "演示：国务院修订后废止旧条例"},
        headers=token_for("bureau_admin", "bureau-ops"),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["document_title"] == "中华人民共和国户口登记条例"
    assert body["flagged"] == ["SD-ZM-GA-001", "SD-ZM-GA-006", "SD-ZM-GA-007"]
    assert MOVE_IN in body["service_items_flagged"]
    assert UNTOUCHED not in body["service_items_flagged"]

    clerk = token_for("clerk")
    after = client.get(f"/api/v1/procedures/{MOVE_IN}", headers=clerk).json()
    assert after["status"] == "needs_review"
    assert client.get(f"/api/v1/procedures/{UNTOUCHED}", headers=clerk).json()["status"] == "active"
    report = client.get("/api/v1/proofs/abolition-report", headers=token_for("cio")).json()
    assert "SD-ZM-GA-001" in {item["code"] for item in report["items"]}
