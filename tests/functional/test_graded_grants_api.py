"""Grades decide sharing requests over HTTP: the legal basis a graded request must name, who may
approve which grade (per object: the providing department, the bureau for important data),
core data refused until the bureau records its authorisation, and the log of decisions."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from certfree.app import create_app
from certfree.settings import Settings

POLICE, CIVIL, HEALTH = "370100-GA", "370100-MZ", "370100-WJ"
BASIS = {"legal_basis": "statutory_duty", "legal_basis_text": "《婚姻登记条例》第五条"}


def org_token(client: TestClient, role: str, org: str | None) -> dict[str, str]:
    node = client.app.state.node  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {node.tokens.issue(role, f'{role}-1', organisation=org)}"}


def setup(client: TestClient) -> tuple[str, int]:
    resource = {
        "class_code": "101", "name": "户籍人口信息", "abstract": "户籍登记",
        "provider": "济南市公安局", "provider_code": POLICE, "format": "数据库",
        "items": [
            {"name": "姓名"},
            {"name": "公民身份号码"},  # its class, from its name: sensitive.identity, grade 3
            {"name": "户籍人口统计汇总", "classification": "important"},
            {"name": "人口安全底数", "classification": "core"},
        ],
        "share_type": "unconditional", "share_method": "api", "open_type": "not_open",
        "update_cycle": "realtime", "released": "2024-03-01",
    }  # fmt: skip
    made = client.post(
        "/api/v1/catalog/resources",
        json=resource,
        headers=org_token(client, "department_admin", POLICE),
    )
    assert made.status_code == 201, made.text
    demand = {
        "department": "济南市民政局", "scenario": "婚姻登记", "text": "户籍人口信息",
        "items": ["公民身份号码"], "purpose": "核验当事人户籍",
        "legal_basis": "《婚姻登记条例》第五条",
    }  # fmt: skip
    asked = client.post(
        "/api/v1/catalog/demands", json=demand, headers=org_token(client, "department_admin", CIVIL)
    )
    assert asked.status_code == 201, asked.text
    return made.json()["code"], asked.json()["id"]


def request(client: TestClient, items: list[str], **extra: Any) -> Any:
    code, demand_id = setup(client)
    body = {"demand_id": demand_id, "resource_code": code, "data_items": items} | extra
    return client.post(
        "/api/v1/catalog/grants", json=body, headers=org_token(client, "department_admin", CIVIL)
    )


def decide(client: TestClient, grant_id: int, role: str, org: str | None) -> Any:
    return client.post(
        f"/api/v1/catalog/grants/{grant_id}/approve", json={}, headers=org_token(client, role, org)
    )


def test_a_graded_request_without_a_legal_basis_is_a_problem_naming_it(
    client: TestClient,
) -> None:
    refused = request(client, ["公民身份号码"])
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert (problem["field"], problem["title"]) == ("legal_basis", "共享申请或审批信息有误")
    assert "个人信息保护法 第13条" in problem["detail"]
    listed = client.get("/api/v1/catalog/grants", headers=org_token(client, "bureau_admin", None))
    assert listed.json() == []  # nothing stored


def test_grade_3_is_approved_by_its_provider_only_even_when_shared_unconditionally(
    client: TestClient,
) -> None:
    made = request(client, ["公民身份号码"], **BASIS)
    assert made.status_code == 201, made.text
    grant = made.json()
    assert (grant["status"], grant["grade"], grant["approvals_needed"]) == (
        "pending", 3, ["department"],
    )  # fmt: skip
    assert grant["legal_basis_zh"] == "履行法定职责或者法定义务所必需"
    assert decide(client, grant["id"], "clerk", POLICE).status_code == 403
    stranger = decide(client, grant["id"], "department_admin", HEALTH)
    assert stranger.status_code == 403
    bureau = decide(client, grant["id"], "bureau_admin", None)
    assert bureau.status_code == 403
    assert bureau.json()["type"].endswith("/grant-approver-not-allowed")
    approved = decide(client, grant["id"], "department_admin", POLICE)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "active"


def test_important_data_needs_the_bureau_as_a_second_approver(client: TestClient) -> None:
    grant = request(client, ["户籍人口统计汇总"], **BASIS).json()
    first = decide(client, grant["id"], "department_admin", POLICE)
    assert (first.json()["status"], len(first.json()["approvals"])) == ("pending", 1)
    again = decide(client, grant["id"], "department_admin", POLICE)
    assert again.status_code == 409
    second = decide(client, grant["id"], "bureau_admin", None)
    assert second.json()["status"] == "active"
    assert [a["level"] for a in second.json()["approvals"]] == ["department", "bureau"]
    log = client.get(
        "/api/v1/grant-decisions",
        params={"grant_id": grant["id"]},
        headers=org_token(client, "cio", "370100"),
    ).json()
    assert [(row["action"], row["level"], row["grade"]) for row in log] == [
        ("requested", "department", 5),
        ("approved", "department", 5),
        ("approved", "bureau", 5),
        ("granted", "bureau", 5),
    ]
    assert {row["legal_basis_text"] for row in log} == {"《婚姻登记条例》第五条"}


def test_core_data_waits_for_the_bureaus_recorded_authorisation(client: TestClient) -> None:
    grant = request(client, ["人口安全底数"], **BASIS).json()
    assert grant["status"] == "refused"
    assert "数据安全法 第21条" in grant["decision_note"]
    path = f"/api/v1/catalog/grants/{grant['id']}/override"
    by_provider = client.post(
        path, json={"document": "某文件"}, headers=org_token(client, "department_admin", POLICE)
    )
    assert by_provider.status_code == 403
    blank = client.post(
        path, json={"document": ""}, headers=org_token(client, "bureau_admin", None)
    )
    assert (blank.status_code, blank.json()["field"]) == (422, "document")
    reopened = client.post(
        path,
        json={"document": "鲁数发〔2026〕1号"},
        headers=org_token(client, "bureau_admin", None),
    )
    assert reopened.json()["status"] == "pending"
    assert decide(client, grant["id"], "department_admin", POLICE).json()["status"] == "active"


def test_the_field_view_names_who_may_receive_each_field(client: TestClient) -> None:
    grant = {
        "consumer": "370200", "provider": CIVIL, "question": "marital_status",
        "service_item": "370000-000201-001", "purpose": "核验婚姻状况",
        "data_items": ["marital_status"],
    }  # fmt: skip
    made = client.post(
        "/api/v1/grants", json=grant, headers=org_token(client, "department_admin", CIVIL)
    )
    assert made.json()["status"] == "active"  # the provider's own approval suffices at grade 3
    fields = client.get("/api/v1/governance/fields", headers=org_token(client, "cio", "370000"))
    rows = {(row["source"], row["owner"], row["field"]): row for row in fields.json()["fields"]}
    receivers = rows["question", "marital_status", "status"]["receivers"]
    assert [(r["grant_id"], r["consumer"], r["legal_basis"]) for r in receivers] == [
        (made.json()["id"], "370200", "consent")
    ]
    assert rows["question", "owns_property", "owns"]["receivers"] == []


def test_a_node_may_set_the_grade_that_needs_approval(
    settings: Settings, keys: object, db: object
) -> None:
    raised = Settings(**{**settings.model_dump(), "grant_grade_threshold": 4})
    with TestClient(create_app(raised)) as client:
        made = request(client, ["公民身份号码"])  # grade 3: below this node's bar
        assert made.status_code == 201, made.text
        assert (made.json()["status"], made.json()["approvals_needed"]) == ("active", [])
