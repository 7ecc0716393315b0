"""Sharing requests for catalog resources over HTTP, as a requesting department, the providing
department, the big-data bureau and a CIO use them; the exchange's grants are unaffected."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from factories.grants import SERVICE_ITEM

PROBLEM = "application/problem+json"
POLICE = "370100-GA"
CIVIL = "370100-MZ"
HEALTH = "370100-WJ"


def org_token(client: TestClient, org: str, subject: str = "admin-1") -> dict[str, str]:
    node = client.app.state.node  # type: ignore[attr-defined]
    token = node.tokens.issue("department_admin", subject, organisation=org)
    return {"Authorization": f"Bearer {token}"}


def add_resource(client: TestClient, share_type: str, name: str) -> str:
    body = {
        "class_code": "101",
        "name": name,
        "abstract": name,
        "provider": "济南市公安局",
        "provider_code": POLICE,
        "format": "数据库",
        "items": [{"name": "办证日期"}, {"name": "姓名"}, {"name": "户口性质"}],
        "share_type": share_type,
        "share_conditions": "仅用于政务服务身份核验",
        "unshared_basis": "《中华人民共和国居民身份证法》第六条",
        "share_method": "api",
        "open_type": "not_open",
        "update_cycle": "realtime",
        "released": "2024-03-01",
    }
    made = client.post("/api/v1/catalog/resources", json=body, headers=org_token(client, POLICE))
    assert made.status_code == 201, made.text
    code: str = made.json()["code"]
    return code


def add_demand(client: TestClient) -> int:
    body = {
        "department": "济南市民政局",
        "scenario": "婚姻登记",
        "text": "户籍人口信息",
        "items": ["办证日期", "户口性质"],
        "purpose": "核验婚姻登记当事人户籍",
        "legal_basis": "《婚姻登记条例》第五条",
    }
    made = client.post("/api/v1/catalog/demands", json=body, headers=org_token(client, CIVIL))
    assert made.status_code == 201, made.text
    demand_id: int = made.json()["id"]
    return demand_id


def ask(client: TestClient, demand_id: int, code: str, org: str = CIVIL, **extra: Any) -> Any:
    body = {"demand_id": demand_id, "resource_code": code, "data_items": ["办证日期"]} | extra
    return client.post("/api/v1/catalog/grants", json=body, headers=org_token(client, org))


def test_each_share_type_answers_the_request(client: TestClient) -> None:
    demand_id = add_demand(client)
    free = ask(client, demand_id, add_resource(client, "unconditional", "人口基本信息"),
               data_items=["办证日期", "婚姻状况"])  # fmt: skip
    assert free.status_code == 201, free.text
    assert free.json()["status"] == "active"
    assert free.json()["data_items"] == ["办证日期"]
    assert "婚姻状况" in free.json()["decision_note"]

    closed = ask(client, demand_id, add_resource(client, "not_shared", "人口敏感信息"))
    assert closed.status_code == 201
    assert closed.json()["status_zh"] == "已拒绝"
    assert closed.json()["decision_note"] == "不予共享：《中华人民共和国居民身份证法》第六条"

    waiting = ask(client, demand_id, add_resource(client, "conditional", "户籍人口信息"))
    assert waiting.json()["status"] == "pending"
    assert waiting.json()["requested"]["share_conditions"] == "仅用于政务服务身份核验"
    again = ask(client, demand_id, waiting.json()["resource_code"])
    assert again.status_code == 409
    assert again.json()["type"].endswith("/grant-request-duplicate")


def test_the_provider_approves_with_narrowing_or_refuses_with_reasons(
    client: TestClient, token_for: Any
) -> None:
    demand_id = add_demand(client)
    code = add_resource(client, "conditional", "户籍人口信息")
    first = ask(client, demand_id, code, data_items=["办证日期", "户口性质"],
                valid_to="2027-12-31T00:00:00Z").json()  # fmt: skip
    police = org_token(client, POLICE, "ga-1")
    url = f"/api/v1/catalog/grants/{first['id']}"

    own = client.post(url + "/approve", json={}, headers=org_token(client, CIVIL))
    assert own.status_code == 403  # the requester cannot approve its own request
    assert own.headers["content-type"].startswith(PROBLEM)
    wider = client.post(url + "/approve", json={"data_items": ["姓名"]}, headers=police)
    assert wider.status_code == 422
    assert wider.json()["field"] == "data_items"
    approved = client.post(
        url + "/approve",
        json={"data_items": ["办证日期"], "purpose": "仅核验当事人身份",
              "valid_to": "2027-06-30T00:00:00Z", "note": "户口性质超出共享条件"},
        headers=police,
    )  # fmt: skip
    assert approved.status_code == 200, approved.text
    shown = approved.json()
    assert (shown["status"], shown["data_items"]) == ("active", ["办证日期"])
    assert shown["purpose"] == "仅核验当事人身份"
    assert shown["valid_to"].startswith("2027-06-30")
    assert shown["requested"]["data_items"] == ["办证日期", "户口性质"]
    assert shown["decided_by"] == "department_admin:ga-1"
    late = client.post(url + "/refuse", json={"reason": "改主意"}, headers=police)
    assert late.status_code == 409
    assert late.json()["type"].endswith("/grant-state-conflict")

    second_demand = add_demand(client)
    second = ask(client, second_demand, code).json()
    refused = client.post(
        f"/api/v1/catalog/grants/{second['id']}/refuse",
        json={"reason": "同一事项已有授权，请复用第一个需求的授权"},
        headers=token_for("bureau_admin", "bureau-1"),
    )
    assert refused.json()["status"] == "refused"
    assert refused.json()["decision_note"].startswith("同一事项已有授权")

    revoked = client.post(f"/api/v1/grants/{first['id']}/revoke", json={"reason": "停用"},
                          headers=police)  # fmt: skip
    assert revoked.json()["status"] == "revoked"


def test_roles_and_who_sees_what(client: TestClient, token_for: Any) -> None:
    demand_id = add_demand(client)
    code = add_resource(client, "conditional", "户籍人口信息")
    stranger = ask(client, demand_id, code, org=HEALTH)
    assert stranger.status_code == 403
    assert "370100-MZ" in stranger.json()["detail"]
    made = ask(client, demand_id, code).json()
    clerk = client.post("/api/v1/catalog/grants", json={"demand_id": demand_id,
                        "resource_code": code}, headers=token_for("clerk"))  # fmt: skip
    assert clerk.status_code == 403
    cio = token_for("cio", "cio-1")
    assert client.post(f"/api/v1/catalog/grants/{made['id']}/approve", json={},
                       headers=cio).status_code == 403  # fmt: skip
    assert client.get("/api/v1/catalog/grants").status_code == 401

    def ids(headers: dict[str, str]) -> list[int]:
        listed = client.get("/api/v1/catalog/grants", headers=headers)
        assert listed.status_code == 200, listed.text
        return [g["id"] for g in listed.json()]

    assert ids(org_token(client, CIVIL)) == [made["id"]]
    assert ids(org_token(client, POLICE)) == [made["id"]]
    assert ids(org_token(client, HEALTH)) == []
    assert ids(cio) == [made["id"]]
    assert ids(token_for("bureau_admin")) == [made["id"]]
    pending = client.get("/api/v1/catalog/grants", params={"status": "pending"}, headers=cio)
    assert [g["id"] for g in pending.json()] == [made["id"]]
    hidden = client.get(f"/api/v1/catalog/grants/{made['id']}", headers=org_token(client, HEALTH))
    assert hidden.status_code == 403
    one = client.get(f"/api/v1/catalog/grants/{made['id']}", headers=org_token(client, POLICE))
    assert one.json()["resource_code"] == code


def test_question_grants_of_the_exchange_still_work(client: TestClient, token_for: Any) -> None:
    bureau = token_for("bureau_admin", "bureau-1")
    question = client.post(
        "/api/v1/grants",
        json={"consumer": "370200", "provider": "370100-MZ", "question": "marital_status",
              "service_item": SERVICE_ITEM, "purpose": "核验婚姻状况",
              "data_items": ["marital_status"]},
        headers=bureau,
    )  # fmt: skip
    assert question.status_code == 201, question.text
    assert question.json()["kind"] == "question"
    demand_id = add_demand(client)
    ask(client, demand_id, add_resource(client, "unconditional", "人口基本信息"))
    every = client.get("/api/v1/grants", headers=bureau).json()
    assert {g["kind"] for g in every} == {"question", "resource"}  # one grant model
    catalog_only = client.get("/api/v1/catalog/grants", headers=bureau).json()
    assert [g["kind"] for g in catalog_only] == ["resource"]
    assert client.get(f"/api/v1/catalog/grants/{question.json()['id']}",
                      headers=bureau).status_code == 404  # fmt: skip
