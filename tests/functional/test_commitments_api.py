"""Commitments over HTTP, as an applicant, a clerk and the administrators see them."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from certfree import commitments
from certfree.commitments import PlanSettings
from certfree.errors import SignatureInvalid
from certfree.nodes import DepartmentKind
from certfree.proofs import ExcludedArea, Way
from factories.commitments import applicant, proof_item

Headers = Any


@pytest.fixture
def items(client: TestClient) -> dict[str, str]:
    """Proof items, and a plan that checks every commitment for the first one."""
    node = client.app.state.node  # type: ignore[attr-defined]
    with node.db.session() as session:
        single = proof_item(
            session, name="婚姻状况证明", fact="申请人目前无配偶", department=DepartmentKind.MZ
        )
        residence = proof_item(session, name="居住证明", fact="申请人在本市居住满半年")
        hazardous = proof_item(
            session,
            name="危险化学品安全评价报告",
            ways=(Way.DEPARTMENT_VERIFICATION, Way.PAPER),
            excluded_area=ExcludedArea.PUBLIC_SAFETY,
        )
        commitments.set_sampling_plan(session, single.code, PlanSettings(base_rate=1), actor="d")
    return {"single": single.code, "residence": residence.code, "hazardous": hazardous.code}


def _form(client: TestClient, headers: Headers, proof: str, **params: str) -> dict[str, Any]:
    response = client.get(
        "/api/v1/commitments/form", params={"proof": proof, **params}, headers=headers
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def _sign(client: TestClient, headers: Headers, proof: str, **extra: str) -> Any:
    service = {"service": extra["service_code"]} if "service_code" in extra else {}
    text_hash = (
        extra.pop("text_hash", None) or _form(client, headers, proof, **service)["text_hash"]
    )
    return client.post(
        "/api/v1/commitments",
        json={"proof_code": proof, "text_hash": text_hash, **extra},
        headers=headers,
    )


def test_form_in_both_languages_for_applicant_and_clerk(
    client: TestClient, token_for: Any, items: dict[str, str]
) -> None:
    zh = _form(client, token_for("applicant", applicant()), items["single"], service="MZ-01")
    assert [s["title"] for s in zh["sections"]] == [
        "一、证明义务",
        "二、证明内容",
        "三、承诺方式",
        "四、不实承诺的法律责任",
        "五、行政机关的核查权力",
        "六、配合核查的义务",
    ]
    assert "申请人目前无配偶" in zh["text"]
    en = _form(client, token_for("clerk", "desk-1"), items["single"], service="MZ-01", lang="en")
    assert en["sections"][3]["title"] == "4. Legal liability for a false commitment"
    assert en["text_hash"] != zh["text_hash"]

    refused = client.get(
        "/api/v1/commitments/form",
        params={"proof": items["hazardous"]},
        headers=token_for("clerk", "desk-1"),
    )
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "/problems/commitment-excluded-area"
    assert "公共安全" in refused.json()["detail"]
    assert refused.json()["title"] == "该领域不适用告知承诺"


def test_applicant_signs_as_themselves_and_the_seal_verifies(
    client: TestClient, token_for: Any, items: dict[str, str]
) -> None:
    person = applicant()
    me = token_for("applicant", person)
    created = _sign(client, me, items["residence"], service_code="GA-02")
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["applicant_id"] == person
    assert body["status"] == "signed"
    assert body["status_zh"] == "已签署"

    # Anyone with the node's published JWKS can check the sealed record.
    jwks = client.get("/.well-known/jwks.json").json()
    fetched = client.get(f"/api/v1/commitments/{body['id']}", headers=token_for("clerk", "c"))
    assert commitments.verify_commitment_seal(fetched.json(), jwks)["sub"] == person
    altered = {**fetched.json(), "applicant_id": applicant()}
    with pytest.raises(SignatureInvalid, match="applicant_id"):
        commitments.verify_commitment_seal(altered, jwks)

    stale = _sign(client, me, items["residence"], text_hash="sm3:" + "ab" * 32)
    assert stale.status_code == 409
    assert stale.json()["field"] == "text_hash"
    assert "请重新获取承诺书" in stale.json()["detail"]

    other = client.get(
        f"/api/v1/commitments/{body['id']}", headers=token_for("applicant", applicant())
    )
    assert other.status_code == 403
    assert "不是您签署的" in other.json()["detail"]
    assert (
        client.post("/api/v1/commitments", json={}, headers=token_for("clerk", "c")).status_code
        == 403
    )


def test_withdraw_before_submission_but_not_after(
    client: TestClient, token_for: Any, items: dict[str, str]
) -> None:
    me = token_for("applicant", applicant())
    first = _sign(client, me, items["residence"]).json()
    withdrawn = client.post(f"/api/v1/commitments/{first['id']}/withdraw", headers=me)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"

    second = _sign(client, me, items["residence"]).json()
    submitted = client.post(
        f"/api/v1/commitments/{second['id']}/submit", headers=token_for("clerk", "desk-1")
    )
    assert submitted.json()["status"] == "submitted"
    refused = client.post(f"/api/v1/commitments/{second['id']}/withdraw", headers=me)
    assert refused.status_code == 409
    assert "提交后不能撤回" in refused.json()["detail"]
    mine = client.get("/api/v1/me/commitments", headers=me).json()
    assert [c["status"] for c in mine] == ["submitted", "withdrawn"]


def test_false_commitment_goes_on_credit_until_repaired(
    client: TestClient, token_for: Any, items: dict[str, str]
) -> None:
    person = applicant()
    me = token_for("applicant", person)
    signed = _sign(client, me, items["single"]).json()
    client.post(f"/api/v1/commitments/{signed['id']}/submit", headers=me)

    drawn = client.post(
        "/api/v1/after-checks/draw",
        json={"seed": "2024-06-01"},
        headers=token_for("bureau_admin", "bureau"),
    )
    assert drawn.status_code == 201, drawn.text
    [check] = drawn.json()
    assert check["commitment_id"] == signed["id"]
    assert check["rate"] == 1.0
    assert "适用比例 100%" in check["rate_reasons"]
    tokens = client.app.state.node.tokens  # type: ignore[attr-defined]
    civil_affairs = {
        "Authorization": "Bearer "
        + tokens.issue("department_admin", "mz-admin", organisation="370100-MZ")
    }
    public_security = {
        "Authorization": "Bearer "
        + tokens.issue("department_admin", "ga-admin", organisation="370100-GA")
    }
    listed = client.get("/api/v1/after-checks", headers=civil_affairs)
    assert [c["id"] for c in listed.json()] == [check["id"]]
    assert client.get("/api/v1/after-checks", headers=public_security).json() == []
    overdue = client.get("/api/v1/after-checks", params={"overdue": "true"}, headers=civil_affairs)
    assert overdue.json() == []

    outcome = client.post(
        f"/api/v1/after-checks/{check['id']}/outcome",
        json={
            "outcome": "false_commitment",
            "method": "data_check",
            "note": "婚姻登记信息显示申请人已婚",
            "consequence": "revoke_decision",
        },
        headers=civil_affairs,
    )
    assert outcome.status_code == 200, outcome.text
    assert outcome.json()["outcome"] == "false_commitment"

    [record] = client.get("/api/v1/me/credit", headers=me).json()
    assert record["status_zh"] == "未修复"
    assert record["consequence_zh"] == "撤销行政决定"
    assert "婚姻登记信息显示申请人已婚" in record["basis"]
    assert client.get("/api/v1/me/credit", headers=token_for("applicant", applicant())).json() == []

    barred = _sign(client, me, items["residence"])
    assert barred.status_code == 409
    assert barred.json()["type"] == "/problems/commitment-credit-barred"
    assert "信用修复前不适用告知承诺" in barred.json()["detail"]

    assert (
        client.post(
            f"/api/v1/credit/{record['id']}/repair",
            json={"reason": "已整改"},
            headers=token_for("department_admin", "d"),
        ).status_code
        == 403
    )
    repaired = client.post(
        f"/api/v1/credit/{record['id']}/repair",
        json={"reason": "已按期整改，信用修复"},
        headers=token_for("bureau_admin", "bureau"),
    )
    assert repaired.status_code == 200
    assert client.get("/api/v1/me/credit", headers=me).json()[0]["status"] == "repaired"
    assert _sign(client, me, items["residence"]).status_code == 201
