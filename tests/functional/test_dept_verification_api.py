"""The department verification API on one node, whose department peers cannot be reached:
requests stay queued, and every refusal is a problem+json naming the field or the reason."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

SUBJECT = "370102198503141234"
ITEM = "371A0101000000-370100000000-000-113701000100000206-1-00"
BASE = "/api/v1/dept-verifications"


def _body(**overrides: Any) -> dict[str, Any]:
    return {
        "department": "370100-RS",
        "subject_id": SUBJECT,
        "fact": "该申请人2019年起在本单位连续参保",
        "service_item": ITEM,
        "purpose": "人才引进落户审核",
    } | overrides


@pytest.fixture
def clerk(token_for: Any) -> dict[str, str]:
    headers: dict[str, str] = token_for("clerk", "desk-7")
    return headers


def test_a_request_to_an_unreachable_department_is_kept_queued(
    client: TestClient, clerk: dict[str, str]
) -> None:
    response = client.post(BASE, headers=clerk, json=_body(working_days=5))
    assert response.status_code == 201, response.text
    sent = response.json()
    assert sent["side"] == "outbox"
    assert (sent["status"], sent["status_zh"], sent["overdue"]) == ("pending", "待核验", False)
    assert (sent["consumer"], sent["department"]) == ("370000", "370100-RS")
    assert sent["requested_by"] == "desk-7"
    assert (sent["delivery"], sent["delivery_attempts"]) == ("queued", 1)
    assert "未在节点注册表中登记接入地址" in sent["last_delivery_error"]
    assert sent["deadline_beijing"].endswith("00:00")  # 24:00 of the fifth working day

    listed = client.get(BASE, headers=clerk, params={"side": "outbox"}).json()
    assert [r["request_id"] for r in listed] == [sent["request_id"]]
    assert client.get(BASE, headers=clerk, params={"side": "inbox"}).json() == []
    one = client.get(f"{BASE}/{sent['request_id']}", headers=clerk)
    assert one.status_code == 200
    assert one.json()["fact"] == "该申请人2019年起在本单位连续参保"


def test_withdrawing_twice_is_a_conflict(client: TestClient, clerk: dict[str, str]) -> None:
    request_id = client.post(BASE, headers=clerk, json=_body()).json()["request_id"]
    first = client.post(f"{BASE}/{request_id}/withdraw", headers=clerk)
    assert first.status_code == 200, first.text
    assert (first.json()["status"], first.json()["withdrawn_by"]) == ("withdrawn", "desk-7")
    second = client.post(f"{BASE}/{request_id}/withdraw", headers=clerk)
    assert second.status_code == 409
    assert second.headers["content-type"] == "application/problem+json"
    assert second.json()["type"] == "/problems/verification-closed"
    withdrawn = client.get(BASE, headers=clerk, params={"side": "outbox", "status": "withdrawn"})
    assert [r["request_id"] for r in withdrawn.json()] == [request_id]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subject_id": "370102198503141235"}, "subject_id"),
        ({"department": "370100"}, "department"),
        ({"fact": " "}, "fact"),
        ({"working_days": 99}, "working_days"),
        ({"deadline": "2020-01-01T00:00:00+08:00"}, "deadline"),
    ],
)
def test_bad_requests_are_problems_naming_the_field(
    client: TestClient, clerk: dict[str, str], overrides: dict[str, Any], field: str
) -> None:
    response = client.post(BASE, headers=clerk, json=_body(**overrides))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/invalid-verification-request"
    assert problem["field"] == field


def test_only_clerks_create_and_applicants_see_nothing(client: TestClient, token_for: Any) -> None:
    admin = client.post(BASE, headers=token_for("department_admin", "a"), json=_body())
    assert admin.status_code == 403
    applicant = client.get(BASE, headers=token_for("applicant", SUBJECT), params={"side": "inbox"})
    assert applicant.status_code == 403
    assert "role 'applicant' may not do this" in applicant.json()["detail"]


def test_answering_what_is_not_in_the_inbox_is_not_found(
    client: TestClient, clerk: dict[str, str]
) -> None:
    request_id = client.post(BASE, headers=clerk, json=_body()).json()["request_id"]
    response = client.post(
        f"{BASE}/{request_id}/answer", headers=clerk, json={"outcome": "confirmed"}
    )
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/verification-not-found"


def test_an_outcome_outside_the_three_is_refused(client: TestClient, clerk: dict[str, str]) -> None:
    response = client.post(
        f"{BASE}/0b7f3c1e-4d1a-4c5e-9f7a-2d3b4c5d6e7f/answer",
        headers=clerk,
        json={"outcome": "probably"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "confirmed" in response.text


def test_deliver_pending_reports_each_attempt(client: TestClient, clerk: dict[str, str]) -> None:
    request_id = client.post(BASE, headers=clerk, json=_body()).json()["request_id"]
    response = client.post(f"{BASE}/deliver-pending", headers=clerk)
    assert response.status_code == 200, response.text
    [attempt] = response.json()
    assert (attempt["request_id"], attempt["type"], attempt["delivered"]) == (
        request_id,
        "verification.request",
        False,
    )
    shown = client.get(f"{BASE}/{request_id}", headers=clerk).json()
    assert shown["delivery_attempts"] == 2


def test_an_unknown_or_malformed_id_is_named(client: TestClient, clerk: dict[str, str]) -> None:
    missing = client.get(f"{BASE}/0b7f3c1e-4d1a-4c5e-9f7a-2d3b4c5d6e7f", headers=clerk)
    assert missing.status_code == 404
    malformed = client.get(f"{BASE}/not-a-uuid", headers=clerk)
    assert malformed.status_code == 422
    assert malformed.json()["field"] == "request_id"
