"""Grants over HTTP: who may grant what, listing, revoking; the published questions."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from factories.grants import SERVICE_ITEM


def org_token(client: TestClient, role: str, org: str) -> dict[str, str]:
    node = client.app.state.node  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {node.tokens.issue(role, 'admin-1', organisation=org)}"}


def grant_body(**changes: Any) -> dict[str, Any]:
    return {
        "consumer": "370200",
        "provider": "370100-MZ",
        "question": "marital_status",
        "service_item": SERVICE_ITEM,
        "purpose": "青岛市民在济南办理结婚登记时核验婚姻状况",
        "data_items": ["marital_status"],
    } | changes


def test_the_bureau_grants_lists_and_revokes(client: TestClient, token_for: Any) -> None:
    bureau = token_for("bureau_admin", "bureau-1")
    made = client.post("/api/v1/grants", json=grant_body(), headers=bureau)
    assert made.status_code == 201, made.text
    grant = made.json()
    # Marital status is graded 3 (sensitive): the providing department approves the bureau's
    # grant before it is active (catalog.grants.grading).
    assert (grant["status"], grant["grade"], grant["approvals_needed"]) == (
        "pending", 3, ["department"],
    )  # fmt: skip
    civil = org_token(client, "department_admin", "370100-MZ")
    approved = client.post(f"/api/v1/grants/{grant['id']}/approve", json={}, headers=civil)
    assert approved.status_code == 200, approved.text
    grant = approved.json()
    assert grant["status"] == "active"
    assert grant["created_by"] == "bureau_admin:bureau-1"
    assert grant["consent_exempt_basis"] is None
    listed = client.get(
        "/api/v1/grants", params={"consumer": "370200"}, headers=token_for("cio", "cio-1")
    )
    assert [g["id"] for g in listed.json()] == [grant["id"]]
    node_view = client.get(f"/api/v1/grants/{grant['id']}", headers=token_for("node", "370200"))
    assert node_view.json()["question"] == "marital_status"
    revoked = client.post(
        f"/api/v1/grants/{grant['id']}/revoke", json={"reason": "试点结束"}, headers=bureau
    )
    assert revoked.status_code == 200
    assert revoked.json()["status_zh"] == "已撤销"
    again = client.post(f"/api/v1/grants/{grant['id']}/revoke", json={}, headers=bureau)
    assert again.status_code == 409
    assert again.json()["type"].endswith("/grant-revoked")


def test_a_department_grants_only_as_provider(client: TestClient, token_for: Any) -> None:
    civil = org_token(client, "department_admin", "370100-MZ")
    police = org_token(client, "department_admin", "370100-GA")
    made = client.post("/api/v1/grants", json=grant_body(), headers=civil)
    assert made.status_code == 201, made.text
    refused = client.post(
        "/api/v1/grants",
        json=grant_body(provider="370100-GA", question="same_household",
                        data_items=["household_relation"]),
        headers=civil,
    )  # fmt: skip
    assert refused.status_code == 403
    assert "370100-GA" in refused.json()["detail"]
    grant_id = made.json()["id"]
    assert (
        client.post(f"/api/v1/grants/{grant_id}/revoke", json={}, headers=police).status_code == 403
    )
    assert client.get("/api/v1/grants", headers=police).json() == []
    clerk = client.post("/api/v1/grants", json=grant_body(), headers=token_for("clerk"))
    assert clerk.status_code == 403


def test_grants_are_checked_against_the_question(client: TestClient, token_for: Any) -> None:
    bureau = token_for("bureau_admin")
    foreign = client.post(
        "/api/v1/grants",
        json=grant_body(data_items=["marital_status", "tax_clear"]),
        headers=bureau,
    )
    assert foreign.status_code == 422
    assert foreign.json()["field"] == "data_items"
    assert "tax_clear" in foreign.json()["detail"]
    unknown = client.post("/api/v1/grants", json=grant_body(question="credit"), headers=bureau)
    assert unknown.status_code == 404
    narrow = client.post(
        "/api/v1/grants",
        json=grant_body(
            question="owns_property", provider="370100-ZR", data_items=["property_count"]
        ),
        headers=bureau,
    )
    assert narrow.status_code == 422
    assert "property_ownership" in narrow.json()["detail"]


def test_questions_are_published(client: TestClient) -> None:
    listed = client.get("/api/v1/questions")
    assert listed.status_code == 200
    names = [q["name"] for q in listed.json()]
    assert "same_household" in names
    one = client.get("/api/v1/questions/owns_property").json()
    assert one["department"] == "ZR"
    assert one["subject_params"] == ["id_number"]
    assert [(f["name"], f["core"]) for f in one["answer"]] == [("owns", True), ("count", False)]
    assert client.get("/api/v1/questions/nope").status_code == 404
