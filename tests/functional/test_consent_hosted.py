"""Consent on the single node ``make run`` serves: the province, hosting the demo departments
(CERTFREE_HOSTED_DEPARTMENTS=*) and listed in no registry of its own, attests a resident's
consent through the desk page's demo route and answers for 济南市民政局 only under it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from certfree.app import create_app
from certfree.crypto import generate_signer
from certfree.settings import Settings
from certfree.storage import Database
from factories.grants import grant_for
from factories.population import married_couple
from helpers.consent_forgery import claims_of, resigned

PROVINCE, MZ = "370000", "370100-MZ"
SERVICE = "370000-000201-001"


@pytest.fixture
def husband(db: Database, demo_registry: None) -> str:
    with db.session() as session:
        man, _, _ = married_couple(session)
        grant_for(session, "marital_status", consumer=PROVINCE, provider=MZ, service_item=SERVICE)
        return man.id_number


@pytest.fixture
def node(settings: Settings, keys: object, husband: str) -> Iterator[TestClient]:
    hosting = Settings(**{**settings.model_dump(), "hosted_departments": "*"})
    with TestClient(create_app(hosting)) as client:
        yield client


def _ask(node: TestClient, person: str, consents: list[str] | None) -> Any:
    token = node.app.state.node.tokens.issue(  # type: ignore[attr-defined]
        "clerk", "staff-1", organisation=PROVINCE
    )
    return node.post(
        "/api/v1/exchange/ask",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "question": "marital_status",
            "provider": MZ,
            "args": {"id_number": person},
            "service_item": SERVICE,
            "purpose": "内地居民结婚登记",
            "consents": consents,
        },
    )


def test_the_province_attests_and_answers_for_its_hosted_department(
    node: TestClient, husband: str
) -> None:
    attested = node.post(
        "/dev/consent-attestation",
        json={
            "id_number": husband,
            "service_item": SERVICE,
            "questions": ["marital_status"],
            "purpose": "内地居民结婚登记",
        },
    )
    assert attested.status_code == 200, attested.text
    attestation = attested.json()["attestation"]
    assert claims_of(attestation)["consumer"] == PROVINCE

    without = _ask(node, husband, None)
    forged = _ask(node, husband, [resigned(attestation, generate_signer())])
    answered = _ask(node, husband, [attestation])

    assert without.status_code == 403
    assert without.json()["reason"] == "no_consent"
    assert forged.status_code == 403
    assert forged.json()["reason"] == "consent_forged"
    assert answered.status_code == 200, answered.text
    assert answered.json()["answer"]["result"] == {"status": "married"}
    assert answered.json()["answer"]["consent_ids"] == [claims_of(attestation)["jti"]]


def test_the_desk_pages_demo_consent_names_an_unknown_person(node: TestClient) -> None:
    unknown = node.post(
        "/dev/consent-attestation",
        json={
            "id_number": "11010519491231002X",
            "service_item": SERVICE,
            "questions": ["marital_status"],
            "purpose": "内地居民结婚登记",
        },
    )
    assert unknown.status_code == 404
    assert unknown.json()["type"].startswith("/problems/")
