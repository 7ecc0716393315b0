"""The service-item API as a bureau, a department, a clerk and an applicant use it."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from certfree.demo import build_demo_province, load_demo_items
from certfree.demo.pilot_grants import load_demo_grants
from certfree.nodes import Node, NodeStatus
from certfree.population import Marriage, MarriageStatus
from certfree.storage import Database

MARRIAGE = "371A0101000000-370100000000-000-113701000100000206-1-00"
REAL_ESTATE = "371A0301000000-370100000000-000-11370100010000055Q-1-00"
NEW = "371A0901000000-370100000000-000-113701000100000206-1-00"
PROBLEM = "application/problem+json"


@pytest.fixture
def demo(db: Database) -> Database:
    with db.session() as session:
        load_demo_items(session, "tester")
    return db


def _new_item(proof_code: str = "SD-ZM-MZ-004", node: str = "370100-MZ") -> dict[str, Any]:
    return {
        "code": NEW,
        "name": "补领结婚证",
        "department_name": "济南市民政局",
        "department_kind": "MZ",
        "node_code": node,
        "requirements": [
            {
                "description": "申请人婚姻状况",
                "alternatives": [
                    [{"kind": "data_question", "ref": "marital_status"}],
                    [{"kind": "proof_item", "ref": proof_code}],
                ],
            }
        ],
    }


def _department_admin(client: TestClient, org: str | None) -> dict[str, str]:
    tokens = client.app.state.node.tokens  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {tokens.issue('department_admin', 'mz-1', organisation=org)}"}


def test_readers_list_and_read_items_and_their_requirements(
    client: TestClient, token_for: Any, demo: Database
) -> None:
    for role in ("clerk", "applicant", "bureau_admin", "department_admin", "cio"):
        listed = client.get("/api/v1/procedures", headers=token_for(role))
        assert listed.status_code == 200, (role, listed.text)
    body = client.get("/api/v1/procedures?q=结婚", headers=token_for("clerk")).json()
    assert body["total"] == 1
    assert body["items"][0] == {
        "code": MARRIAGE,
        "name": "内地居民结婚登记",
        "department_name": "济南市民政局",
        "level": "city",
        "status": "active",
        "requirement_count": 5,
    }
    item = client.get(f"/api/v1/procedures/{MARRIAGE}", headers=token_for("clerk")).json()
    assert item["node_code"] == "370100-MZ"
    assert item["item_type_name"] == "行政确认"
    assert (item["promised_days"], item["result_cert_name"]) == (1, "结婚证")
    needs = client.get(f"/api/v1/procedures/{MARRIAGE}/requirements", headers=token_for("cio"))
    assert needs.status_code == 200
    spouse = needs.json()["requirements"][3]
    assert (spouse["party"], spouse["party_zh"]) == ("spouse", "另一方当事人")
    status = needs.json()["requirements"][2]
    assert status["description"] == "申请人婚姻状况（无配偶）"
    assert status["party"] == "applicant"
    data, proof = status["alternatives"]
    assert data[0]["ways"] == ["data_sharing"]
    no_spouse = {"status": ["unmarried", "divorced", "widowed"]}
    assert (data[0]["expect"], proof[0]["expect"]) == (no_spouse, no_spouse)
    assert proof[0]["name"] == "婚姻状况证明"
    assert proof[0]["ways"] == ["data_sharing", "e_certificate", "commitment"]
    assert client.get("/api/v1/procedures", headers=token_for("verifier")).status_code == 403
    missing = client.get("/api/v1/procedures/NOPE-1", headers=token_for("clerk"))
    assert missing.status_code == 404
    assert missing.json()["type"] == "/problems/service-item-not-found"


def test_saving_an_item_that_demands_an_unlisted_proof_is_a_422_naming_it(
    client: TestClient, token_for: Any, demo: Database
) -> None:
    for proof, why in (
        ("SD-ZM-XX-404", "证明事项清单中没有该证明事项"),
        ("SD-ZM-MZ-002", "拟取消"),
    ):
        response = client.post(
            "/api/v1/procedures", json=_new_item(proof), headers=token_for("bureau_admin")
        )
        assert response.status_code == 422
        assert response.headers["content-type"] == PROBLEM
        problem = response.json()
        assert problem["type"] == "/problems/outside-the-list"
        assert problem["title"] == "清单之外无证明"
        assert problem["field"] == "requirements[0].alternatives[1][0]"
        assert (problem["service_code"], problem["requirement"], problem["proof_code"]) == (
            NEW,
            "申请人婚姻状况",
            proof,
        )
        assert NEW in problem["detail"]
        assert "申请人婚姻状况" in problem["detail"]
        assert proof in problem["detail"]
        assert why in problem["detail"]
    listed = client.get("/api/v1/procedures", headers=token_for("clerk")).json()
    assert NEW not in [i["code"] for i in listed["items"]]


def test_an_expected_answer_the_question_cannot_give_is_a_422_naming_it(
    client: TestClient, token_for: Any, demo: Database
) -> None:
    item = _new_item()
    item["requirements"][0]["alternatives"][0][0]["expect"] = {"status": ["engaged"]}
    response = client.post("/api/v1/procedures", json=item, headers=token_for("bureau_admin"))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["field"] == "requirements[0].alternatives[0][0].expect"
    assert "status 的期望值应为 unmarried、married、divorced、widowed 之一" in problem["detail"]
    listed = client.get("/api/v1/procedures", headers=token_for("clerk")).json()
    assert NEW not in [i["code"] for i in listed["items"]]


def test_departments_edit_only_their_own_items(
    client: TestClient, token_for: Any, demo: Database
) -> None:
    wrong = client.post(
        "/api/v1/procedures", json=_new_item(), headers=_department_admin(client, "370100-GA")
    )
    assert wrong.status_code == 403
    assert "只能维护本部门（370100-GA）" in wrong.json()["detail"]
    no_org = client.post(
        "/api/v1/procedures", json=_new_item(), headers=_department_admin(client, None)
    )
    assert no_org.status_code == 403
    own = _department_admin(client, "370100-MZ")
    created = client.post("/api/v1/procedures", json=_new_item(), headers=own)
    assert created.status_code == 201, created.text
    assert created.json()["updated_by"] == "mz-1"
    again = client.post("/api/v1/procedures", json=_new_item(), headers=own)
    assert again.status_code == 409
    renamed = {**_new_item(), "name": "补领结婚证、离婚证"}
    replaced = client.put(f"/api/v1/procedures/{NEW}", json=renamed, headers=own)
    assert replaced.status_code == 200
    assert replaced.json()["name"] == "补领结婚证、离婚证"
    moved = {**_new_item(), "node_code": "370100-GA"}
    assert client.put(f"/api/v1/procedures/{NEW}", json=moved, headers=own).status_code == 403
    clerk = client.put(f"/api/v1/procedures/{NEW}", json=renamed, headers=token_for("clerk"))
    assert clerk.status_code == 403


def test_a_clerk_may_not_ask_for_evidence_the_item_does_not_allow(
    client: TestClient, token_for: Any, demo: Database
) -> None:
    url = f"/api/v1/procedures/{MARRIAGE}/evidence-check"
    ok = client.post(
        url, json={"kind": "data_question", "ref": "marital_status"}, headers=token_for("clerk")
    )
    assert ok.status_code == 200
    both = ["申请人婚姻状况（无配偶）", "另一方当事人婚姻状况（无配偶）"]
    assert ok.json()["requirements"] == both
    refused = client.post(
        url, json={"kind": "proof_item", "ref": "SD-ZM-GA-005"}, headers=token_for("clerk")
    )
    assert refused.status_code == 422
    assert refused.json()["type"] == "/problems/evidence-not-allowed"
    assert refused.json()["title"] == "该事项不允许索要此材料"
    assert "窗口不得索要" in refused.json()["detail"]
    on_paper = client.post(
        url,
        json={"kind": "proof_item", "ref": "SD-ZM-MZ-004", "way": "paper"},
        headers=token_for("clerk"),
    )
    assert on_paper.status_code == 422
    assert "不得以「纸质证明」方式索要" in on_paper.json()["detail"]


def test_routes_for_clerks_and_for_applicants_themselves(
    client: TestClient, token_for: Any, demo: Database
) -> None:
    build_demo_province(demo, citizens=1000, firms=50, seed=1)
    with demo.session() as session:
        married = session.scalars(
            select(Marriage).where(Marriage.status == MarriageStatus.MARRIED).limit(1)
        ).one()
        # This node (370000) may ask 济南市民政局, which is registered with an address.
        civil_affairs = session.get(Node, "370100-MZ")
        assert civil_affairs is not None
        civil_affairs.status = NodeStatus.ACTIVE
        civil_affairs.endpoint_url = "https://370100-mz.nodes.example.test"
        load_demo_grants(session, ["370000"], ["370100-MZ"])
    url = f"/api/v1/procedures/{MARRIAGE}/routes"
    seen = client.get(
        url,
        params={"applicant": married.party_a_id, "party": f"spouse={married.party_b_id}"},
        headers=token_for("clerk"),
    )
    assert seen.status_code == 200, seen.text
    report = seen.json()
    status = report["requirements"][2]
    assert status["description"] == "申请人婚姻状况（无配偶）"
    assert status["way"] == "data_sharing"
    assert "可通过 marital_status 问题向 济南市民政局 核验" in status["explanation_zh"]
    spouse = report["requirements"][3]
    assert (spouse["party"], spouse["subject"], spouse["way"]) == (
        "spouse",
        married.party_b_id,
        "data_sharing",
    )
    chosen = spouse["alternatives"][0]["evidences"][0]["steps"][0]
    assert chosen["args"] == {"id_number": married.party_b_id}
    assert report["unmet"] == ["申请人身份", "另一方当事人身份"]  # no ID cards in the library
    alone = client.get(url, params={"applicant": married.party_a_id}, headers=token_for("clerk"))
    assert "「另一方当事人婚姻状况（无配偶）」：缺少当事人：另一方当事人" in [
        r["explanation_zh"] for r in alone.json()["requirements"]
    ]
    bad_party = client.get(
        url,
        params={"applicant": married.party_a_id, "party": "spouse"},
        headers=token_for("clerk"),
    )
    assert bad_party.status_code == 422
    assert bad_party.json()["field"] == "party"
    own = client.get(
        url,
        params={"applicant": married.party_a_id},
        headers=token_for("applicant", married.party_a_id),
    )
    assert own.status_code == 200
    other = client.get(
        url,
        params={"applicant": married.party_b_id},
        headers=token_for("applicant", married.party_a_id),
    )
    assert other.status_code == 403
    assert "申请人只能查询本人的办理途径" in other.json()["detail"]
    about_another = client.get(
        url,
        params={"applicant": married.party_a_id, "party": f"spouse={married.party_b_id}"},
        headers=token_for("applicant", married.party_a_id),
    )
    assert about_another.status_code == 403
    assert "申请人不能查询其他当事人的办理途径" in about_another.json()["detail"]
    bad = client.get(url, params={"applicant": "12345"}, headers=token_for("clerk"))
    assert bad.status_code == 422
    assert bad.json()["field"] == "applicant"


def test_bureau_imports_a_gbk_csv(client: TestClient, token_for: Any, demo: Database) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["事项编码", "事项名称", "实施机构", "申请条件"])
    writer.writerow([NEW, "补领结婚证", "济南市民政局", "申请人婚姻状况：data:marital_status"])
    data = out.getvalue().encode("gb18030")
    refused = client.post(
        "/api/v1/procedures/import", content=data, headers=token_for("department_admin")
    )
    assert refused.status_code == 403
    imported = client.post(
        "/api/v1/procedures/import?filename=list.csv",
        content=data,
        headers={**token_for("bureau_admin"), "Content-Type": "text/csv"},
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["created"] == 1
    assert imported.json()["encoding"] == "gb18030"
    bad = data.replace(b"marital_status", b"no_such_question")
    rejected = client.post(
        "/api/v1/procedures/import", content=bad, headers=token_for("bureau_admin")
    )
    assert rejected.status_code == 422
    assert rejected.json()["type"] == "/problems/service-import-rejected"
    assert "第 2 行「申请条件」" in rejected.json()["detail"]
    [error] = rejected.json()["errors"]
    assert (error["row"], error["field"]) == (2, "申请条件")
    assert "没有名为 no_such_question 的数据共享问题" in error["detail"]
