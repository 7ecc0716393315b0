"""Who may attach what to an application, and what each caller is shown of it: a consent
fits only its application, bad attestations are told apart from good ones, nothing is added
once decided, and each caller sees only their part."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from certfree.population import Sex
from certfree.storage import Database
from certfree.wallet import HolderKey
from factories.population import person
from factories.single_node import PROVINCE
from functional.test_applications_api import (
    ELDERLY,
    _bearer,
    _clerk,
    _elder,
    node,
)

__all__ = ["node"]  # the fixture, shared with test_applications_api


def _start(client: TestClient, applicant: str) -> dict[str, Any]:
    started = client.post(
        "/api/v1/applications",
        headers=_clerk(client),
        json={"service": ELDERLY, "applicant": applicant},
    )
    assert started.status_code == 201, started.text
    app: dict[str, Any] = started.json()
    return app


def _attest(client: TestClient, app: dict[str, Any], party: str, application: str | None) -> str:
    attested = client.post(
        "/api/v1/consent/attestations",
        headers=_bearer(client, "applicant", party),
        json={
            "consumer": app["node"],
            "service_item": app["service_item"],
            "questions": ["age_at_least", "is_resident_of"],
            "purpose": f"办理{app['service_name']}",
            "application": application,
        },
    )
    assert attested.status_code == 201, attested.text
    token: str = attested.json()["attestation"]
    return token


def _attach(client: TestClient, app: dict[str, Any], party: str, attestation: str) -> Any:
    return client.post(
        f"/api/v1/applications/{app['id']}/consent",
        headers=_bearer(client, "applicant", party),
        json={"party": party, "attestation": attestation},
    )


def test_a_consent_given_for_another_application_is_not_attached(
    node: TestClient, db: Database
) -> None:
    elder = _elder(db)
    first, second = _start(node, elder), _start(node, elder)
    for_first = _attest(node, first, elder, first["id"])
    for_none = _attest(node, first, elder, None)

    for token in (for_first, for_none):
        refused = _attach(node, second, elder, token)
        assert refused.status_code == 422, refused.text
        assert refused.json()["field"] == "attestation"
        assert second["id"] in refused.json()["detail"]
    assert _attach(node, first, elder, for_first).status_code == 200
    shown = node.get(f"/api/v1/applications/{second['id']}", headers=_clerk(node)).json()
    assert shown["parties"][0]["consented"] is False


@pytest.mark.parametrize(
    "attestation", ["x", "a.b.c", "..", "eyJ9.eyJ9.AA", "e30.e30.", "é.é.é", "a" * 3000]
)
def test_a_bad_attestation_is_told_not_crashed(
    node: TestClient, db: Database, attestation: str
) -> None:
    elder = _elder(db)
    app = _start(node, elder)
    refused = _attach(node, app, elder, attestation)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["field"] == "attestation"
    assert "同意凭据" in refused.json()["detail"]
    assert "attestation" in refused.json()["detail"]


def test_nothing_is_attached_once_decided(node: TestClient, db: Database) -> None:
    elder = _elder(db)
    app = _start(node, elder)
    path = f"/api/v1/applications/{app['id']}"
    token = _attest(node, app, elder, app["id"])
    assert node.post(f"{path}/submit", headers=_clerk(node)).status_code == 200
    refused = node.post(
        f"{path}/decide",
        headers=_clerk(node),
        json={"approve": False, "reason": "户籍不在本省", "requirement": 1},
    )
    assert refused.status_code == 200, refused.text

    late = _attach(node, app, elder, token)
    assert late.status_code == 409, late.text
    assert late.json()["field"] == "state"
    key = node.post(
        f"{path}/wallet-key",
        headers=_bearer(node, "applicant", elder),
        json={"party": elder, "holder_jwk": HolderKey.generate().public_jwk()},
    )
    assert key.status_code == 409, key.text
    shown = node.get(path, headers=_clerk(node)).json()
    assert shown["parties"][0]["consented"] is False
    assert shown["parties"][0]["wallet_key"] is False


def test_only_a_party_the_service_needs_is_added(node: TestClient, db: Database) -> None:
    elder = _elder(db)
    app = _start(node, elder)
    stranger = _elder(db, dt.date(1960, 6, 6))
    added = node.post(
        f"/api/v1/applications/{app['id']}/parties",
        headers=_clerk(node),
        json={"role": "spouse", "id": stranger},
    )
    assert added.status_code == 422, added.text
    assert added.json()["field"] == "role"
    assert (
        node.get(
            f"/api/v1/applications/{app['id']}", headers=_bearer(node, "applicant", stranger)
        ).status_code
        == 404
    )


MINIMAL = {"id", "service_item", "service_name", "node", "state", "state_zh", "state_en"}


def test_a_department_admin_sees_only_the_requirements_asked_of_it(
    node: TestClient, db: Database
) -> None:
    elder = _elder(db)
    app = _start(node, elder)
    police = _bearer(node, "department_admin", "gov-1", "370100-GA")
    shown = node.get(f"/api/v1/applications/{app['id']}", headers=police)
    assert shown.status_code == 200, shown.text
    assert set(shown.json()) == {*MINIMAL, "requirements"}
    # the person appears only where a requirement asked of the police is about them
    assert {r["subject"] for r in shown.json()["requirements"]} == {elder}
    listed = node.get("/api/v1/applications", headers=police).json()
    assert listed["total"] == 1
    assert set(listed["items"][0]) == {*MINIMAL, "requirements"}


def test_only_the_holder_sees_the_credential_issued_to_them(node: TestClient, db: Database) -> None:
    elder = _elder(db)
    app = _start(node, elder)
    path = f"/api/v1/applications/{app['id']}"
    assert _attach_with_key(node, app, elder).status_code == 200
    assert node.post(f"{path}/run", headers=_clerk(node)).status_code == 200
    assert node.post(f"{path}/submit", headers=_clerk(node)).status_code == 200
    decided = node.post(f"{path}/decide", headers=_clerk(node), json={"approve": True})
    assert decided.status_code == 200, decided.text

    (clerks,) = decided.json()["issued"]
    assert "credential" not in clerks
    assert clerks["holder"] == elder
    assert clerks["certificate_id"]
    (own,) = node.get(path, headers=_bearer(node, "applicant", elder)).json()["issued"]
    assert own["credential"].count("~") >= 1  # the SD-JWT, for the holder's wallet
    assert own["certificate_id"] == clerks["certificate_id"]


def _attach_with_key(client: TestClient, app: dict[str, Any], party: str) -> Any:
    return client.post(
        f"/api/v1/applications/{app['id']}/consent",
        headers=_bearer(client, "applicant", party),
        json={
            "party": party,
            "attestation": _attest(client, app, party, app["id"]),
            "holder_jwk": HolderKey.generate().public_jwk(),
        },
    )


def test_the_view_says_each_label_in_english_too_and_shows_the_form(
    node: TestClient, db: Database
) -> None:
    app = _start(node, _elder(db))
    assert app["form"] == {}
    assert [(r["way_en"], r["status_en"]) for r in app["requirements"]] == [
        ("data sharing", "planned"),
    ] * 2
    assert [(e["action_zh"], e["action_en"]) for e in app["events"]] == [("创建办件", "started")]


@pytest.mark.parametrize(
    ("role", "org", "status"),
    [
        ("bureau_admin", "370200", 403),  # another node's bureau
        ("department_admin", None, 403),  # no department named
        ("bureau_admin", PROVINCE, 200),
        ("department_admin", "370100-GA", 200),
    ],
)
def test_after_checks_are_run_by_this_nodes_bureau_or_a_department_for_its_own(
    node: TestClient, role: str, org: str | None, status: int
) -> None:
    ran = node.post(
        "/api/v1/applications/after-checks/run", headers=_bearer(node, role, "gov-9", org)
    )
    assert ran.status_code == status, ran.text


def test_lists_are_paged_and_filtered(node: TestClient, db: Database) -> None:
    elder = _elder(db)
    first, second = _start(node, elder), _start(node, elder)
    page = node.get("/api/v1/applications?limit=1&offset=1", headers=_clerk(node)).json()
    assert page["total"] == 2
    assert [a["id"] for a in page["items"]] == [first["id"]]  # newest first
    late = node.get("/api/v1/applications?overdue=true", headers=_clerk(node)).json()
    assert late == {"total": 0, "items": []}
    mine = node.get(
        f"/api/v1/applications?state=draft&service={second['service_item']}",
        headers=_bearer(node, "applicant", elder),
    ).json()
    assert mine["total"] == 2


def test_a_plan_does_not_tell_what_a_co_party_holds_until_they_join(
    node: TestClient, db: Database
) -> None:
    with db.session() as session:
        groom = person(session, name="周磊", sex=Sex.MALE, birth=dt.date(1994, 2, 3)).id_number
        bride = person(session, name="吴芳", sex=Sex.FEMALE, birth=dt.date(1995, 8, 9)).id_number
    started = node.post(
        "/api/v1/applications",
        headers=_clerk(node),
        json={"service": "内地居民结婚登记", "applicant": groom, "parties": {"spouse": bride}},
    )
    assert started.status_code == 201, started.text
    plans = {r["requirement"]: r for r in started.json()["requirements"]}
    brides = plans["另一方当事人身份"]
    assert brides["way"] == "e_certificate"  # to be shown by her, whatever her wallet holds
    assert "卡包中无" not in brides["explanation_zh"]

    joined = node.post(
        f"/api/v1/applications/{started.json()['id']}/wallet-key",
        headers=_bearer(node, "applicant", bride),
        json={"party": bride, "holder_jwk": HolderKey.generate().public_jwk()},
    )
    assert joined.status_code == 200, joined.text
    # Once she has joined, the plan is made on what her wallet really holds (nothing here).
    again = {r["requirement"]: r for r in joined.json()["requirements"]}["另一方当事人身份"]
    assert "另一方当事人卡包中无居民身份证" in again["explanation_zh"]
