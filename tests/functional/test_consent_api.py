"""The applicant's consents over HTTP: preview, give, list, revoke — only their own."""

from __future__ import annotations

import time
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import event

from certfree import governance
from certfree.demo import load_demo_items
from helpers.livenode import serving

APPLICANT = "11010519491231002X"
MARRIAGE = "371A0101000000-370100000000-000-113701000100000206-1-00"
MOVING_IN = "371A0201000000-370100000000-000-11370100010000012B-1-00"


def load_items(client: TestClient) -> None:
    node = client.app.state.node  # type: ignore[attr-defined]
    with node.db.session() as session:
        load_demo_items(session, "test")


def test_preview_give_list_revoke(client: TestClient, token_for: Any) -> None:
    load_items(client)
    me = token_for("applicant", APPLICANT)
    shown = client.get(
        "/api/v1/me/consents/preview", params={"service_item": MOVING_IN}, headers=me
    )
    assert shown.status_code == 200, shown.text
    assert [q["name"] for q in shown.json()["questions"]] == ["same_household", "owns_property"]
    assert "向公安部门核验「您与另一人是否在同一户籍」" in shown.json()["text_zh"]
    assert (
        "1. We check whether you and another person are in the same household register with "
        "the public security department; it answers only: whether two people share a "
        "household, never your whole record."
    ) in shown.json()["text_en"]
    at_desk = client.get(
        "/api/v1/me/consents/preview",
        params={"service_item": MARRIAGE, "question": ["marital_status"]},
        headers=token_for("clerk"),
    )
    assert at_desk.json()["service_name"] == "内地居民结婚登记"

    given = client.post("/api/v1/me/consents", json={"service_item": MARRIAGE}, headers=me)
    assert given.status_code == 201, given.text
    consent = given.json()
    assert consent["subject_id"] == APPLICANT
    assert consent["consumer"] == "370000"  # this node asks
    assert consent["questions"] == ["marital_status"]
    assert consent["state"] == "valid"

    other = token_for("applicant", "370102199001010036")
    assert client.get("/api/v1/me/consents", headers=other).json() == []
    stolen = client.post(f"/api/v1/me/consents/{consent['id']}/revoke", headers=other)
    assert stolen.status_code == 404

    revoked = client.post(f"/api/v1/me/consents/{consent['id']}/revoke", headers=me)
    assert revoked.status_code == 200
    assert revoked.json()["state_zh"] == "已撤回"
    mine = client.get("/api/v1/me/consents", headers=me).json()
    assert [(c["id"], c["state"]) for c in mine] == [(consent["id"], "revoked")]


def test_consents_need_an_applicant_and_a_known_item(client: TestClient, token_for: Any) -> None:
    clerk = client.post(
        "/api/v1/me/consents", json={"service_item": MARRIAGE}, headers=token_for("clerk")
    )
    assert clerk.status_code == 403
    unknown = client.post(
        "/api/v1/me/consents",
        json={"service_item": "no-such-item"},
        headers=token_for("applicant", APPLICANT),
    )
    assert unknown.status_code == 404
    bad_question = client.post(
        "/api/v1/me/consents",
        json={"service_item": MARRIAGE, "questions": ["credit_score"]},
        headers=token_for("applicant", APPLICANT),
    )
    assert bad_question.status_code == 404
    assert "marital_status" in bad_question.json()["detail"]


def test_a_change_is_committed_before_its_response_is_sent(
    client: TestClient, token_for: Any
) -> None:
    """Over real HTTP: once the client holds its 201, the consent is in the database, even when
    the commit is slow (a loaded PostgreSQL). Committing after sending let a page read its
    own change before it existed, and would acknowledge a change whose commit then failed."""
    load_items(client)
    node = client.app.state.node  # type: ignore[attr-defined]

    def slow_commit(_connection: object) -> None:
        time.sleep(0.3)

    event.listen(node.db.engine, "commit", slow_commit)
    try:
        with serving(client.app) as base:  # type: ignore[arg-type]
            given = httpx.post(
                f"{base}/api/v1/me/consents",
                json={"service_item": MARRIAGE},
                headers=token_for("applicant", APPLICANT),
                timeout=30,
            )
            with node.db.session() as session:
                stored = governance.list_consents(session, APPLICANT)
    finally:
        event.remove(node.db.engine, "commit", slow_commit)
    assert given.status_code == 201, given.text
    assert [consent.id for consent in stored] == [given.json()["id"]]
