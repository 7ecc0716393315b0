"""Who may attach what to an application, and what each caller is shown of it: a consent
fits only its application, bad attestations are told apart from good ones, nothing is added
once decided, and each caller sees only their part."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from certfree.storage import Database
from certfree.wallet import HolderKey
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
