"""Who may do what, to which object: every operation × every role, and for the operations
that act on one organisation's or one person's objects, the owner against a stranger.

The role table is the policy itself, pinned here: widening or dropping a route's roles, or
an object rule, makes this module fail."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from certfree import commitments
from certfree.auth import Role
from certfree.commitments import PlanSettings
from certfree.nodes import DepartmentKind
from factories.certificates import ELDERLY_CARD, example_face, holder_key
from factories.commitments import proof_item, signed
from factories.population import person

ROLE_LETTERS = {
    "A": Role.APPLICANT,
    "C": Role.CLERK,
    "D": Role.DEPARTMENT_ADMIN,
    "B": Role.BUREAU_ADMIN,
    "I": Role.CIO,
    "V": Role.VERIFIER,
    "N": Role.NODE,
}
ANY = "ABCDINV"
# (method, path): the roles that may call it (letters above). Public operations are pinned
# in test_api_access.PUBLIC_OPERATIONS.
POLICY = {
    ("GET", "/api/v1/whoami"): ANY,
    ("GET", "/api/v1/keys"): "BI",
    ("GET", "/api/v1/nodes"): ANY,
    ("GET", "/api/v1/people/{id_number}"): "AD",
    ("GET", "/api/v1/identifiers/{kind}"): ANY,
    ("POST", "/api/v1/proofs"): "B",
    ("GET", "/api/v1/proofs/abolition-report"): "BI",
    ("GET", "/api/v1/proofs/changes"): "BI",
    ("GET", "/api/v1/proofs/working"): "BI",
    ("POST", "/api/v1/proofs/publish"): "B",
    ("POST", "/api/v1/proofs/import"): "B",
    ("POST", "/api/v1/legal-documents/{document_id}/repeal"): "B",
    ("PATCH", "/api/v1/proofs/{code}"): "B",
    ("POST", "/api/v1/proofs/{code}/bases"): "B",
    ("POST", "/api/v1/proofs/{code}/abolish"): "B",
    ("GET", "/api/v1/procedures"): "ABCDI",
    ("POST", "/api/v1/procedures"): "BD",
    ("POST", "/api/v1/procedures/import"): "B",
    ("GET", "/api/v1/procedures/{code}"): "ABCDI",
    ("PUT", "/api/v1/procedures/{code}"): "BD",
    ("GET", "/api/v1/procedures/{code}/requirements"): "ABCDI",
    ("POST", "/api/v1/procedures/{code}/evidence-check"): "C",
    ("GET", "/api/v1/procedures/{code}/routes"): "AC",
    ("GET", "/api/v1/commitments/form"): "AC",
    ("POST", "/api/v1/commitments"): "A",
    ("GET", "/api/v1/commitments/{id}"): "AC",
    ("POST", "/api/v1/commitments/{id}/withdraw"): "A",
    ("POST", "/api/v1/commitments/{id}/submit"): "AC",
    ("GET", "/api/v1/me/commitments"): "A",
    ("GET", "/api/v1/me/credit"): "A",
    ("POST", "/api/v1/applications"): "AC",
    ("GET", "/api/v1/applications"): "ACD",
    ("GET", "/api/v1/applications/stats"): "BCI",
    ("GET", "/api/v1/applications/stats/groups"): "BCI",
    ("GET", "/api/v1/applications/{app_id}"): "ACD",
    ("POST", "/api/v1/applications/{app_id}/parties"): "AC",
    ("PUT", "/api/v1/applications/{app_id}/form"): "AC",
    ("POST", "/api/v1/applications/after-checks/run"): "BD",
    ("POST", "/api/v1/applications/{app_id}/consent"): "A",
    ("POST", "/api/v1/applications/{app_id}/wallet-key"): "A",
    ("POST", "/api/v1/applications/{app_id}/presentations"): "AC",
    ("POST", "/api/v1/applications/{app_id}/commitments"): "A",
    ("POST", "/api/v1/applications/{app_id}/run"): "AC",
    ("POST", "/api/v1/applications/{app_id}/submit"): "AC",
    ("POST", "/api/v1/applications/{app_id}/accept"): "C",
    ("POST", "/api/v1/applications/{app_id}/not-accept"): "C",
    ("POST", "/api/v1/applications/{app_id}/request-correction"): "C",
    ("POST", "/api/v1/applications/{app_id}/paper"): "C",
    ("POST", "/api/v1/applications/{app_id}/decide"): "C",
    ("POST", "/api/v1/applications/{app_id}/withdraw"): "A",
    ("POST", "/api/v1/after-checks/draw"): "BD",
    ("GET", "/api/v1/after-checks"): "BD",
    ("POST", "/api/v1/after-checks/{id}/outcome"): "D",
    ("POST", "/api/v1/credit/{id}/repair"): "B",
    ("POST", "/api/v1/certificates"): "D",
    ("GET", "/api/v1/certificates"): "ACD",
    ("GET", "/api/v1/certificates/{identifier}"): "ACD",
    ("POST", "/api/v1/certificates/{identifier}/revoke"): "D",
    ("POST", "/api/v1/certificates/{identifier}/suspend"): "D",
    ("POST", "/api/v1/certificates/{identifier}/resume"): "D",
    ("POST", "/api/v1/certificates/{identifier}/replace"): "D",
    ("POST", "/api/v1/me/certificates/{identifier}/claim"): "A",
    ("POST", "/api/v1/verifications"): "CV",
    ("GET", "/api/v1/trust-list"): "CNV",
    ("GET", "/api/v1/certs/index/feed"): "BN",
    ("GET", "/api/v1/me/certificates/index"): "A",
    ("GET", "/api/v1/certs/index"): "BDI",
    ("GET", "/api/v1/certs/index/status"): "B",
    ("GET", "/api/v1/certs/index/trust-list"): "BCNV",
    ("POST", "/api/v1/short-codes/{code}/redeem"): "CV",
    ("GET", "/api/v1/me/certificate-uses"): "A",
    ("GET", "/api/v1/certificate-uses"): "BD",
    ("GET", "/api/v1/backfill/reviews"): "BD",
    ("GET", "/api/v1/backfill/reviews/{review_id}"): "BD",
    ("POST", "/api/v1/backfill/reviews/{review_id}/approve"): "D",
    ("POST", "/api/v1/backfill/reviews/{review_id}/reject"): "D",
    ("POST", "/api/v1/backfill/runs"): "D",
    ("GET", "/api/v1/backfill/runs"): "BD",
    ("GET", "/api/v1/backfill/runs/{run_id}"): "BD",
    ("GET", "/api/v1/backfill/runs/{run_id}/rejects.csv"): "BD",
    ("POST", "/api/v1/exchange/ask"): "CD",
    ("POST", "/api/v1/exchange/nodes/{code}/registration"): "B",
    ("POST", "/api/v1/exchange/nodes/{code}/approve"): "B",
    ("POST", "/api/v1/exchange/nodes/{code}/revoke"): "B",
    ("GET", "/api/v1/exchange/health"): "BI",
    ("POST", "/api/v1/dept-verifications"): "C",
    ("GET", "/api/v1/dept-verifications"): "CD",
    ("POST", "/api/v1/dept-verifications/deliver-pending"): "CD",
    ("GET", "/api/v1/dept-verifications/{request_id}"): "CD",
    ("POST", "/api/v1/dept-verifications/{request_id}/answer"): "CD",
    ("POST", "/api/v1/dept-verifications/{request_id}/withdraw"): "C",
    ("POST", "/api/v1/grants"): "BD",
    ("GET", "/api/v1/grants"): "BDIN",
    ("GET", "/api/v1/grants/{grant_id}"): "BDIN",
    ("POST", "/api/v1/grants/{grant_id}/revoke"): "BD",
    ("POST", "/api/v1/grants/{grant_id}/approve"): "BD",
    ("GET", "/api/v1/grant-decisions"): "BDIN",
    ("GET", "/api/v1/me/consents/preview"): "AC",
    ("GET", "/api/v1/me/consents"): "A",
    ("POST", "/api/v1/me/consents"): "A",
    ("POST", "/api/v1/me/consents/{consent_id}/revoke"): "A",
    ("GET", "/api/v1/me/data"): "A",
    ("POST", "/api/v1/me/corrections"): "A",
    ("GET", "/api/v1/me/corrections"): "A",
    ("GET", "/api/v1/me/corrections/{request_id}"): "A",
    ("POST", "/api/v1/me/objections"): "A",
    ("GET", "/api/v1/me/objections"): "A",
    ("POST", "/api/v1/me/objections/{objection_id}/withdraw"): "A",
    ("GET", "/api/v1/dept/corrections"): "D",
    ("POST", "/api/v1/dept/corrections/{request_id}/answer"): "D",
    ("POST", "/api/v1/subject-requests/deliver-pending"): "BCD",
    ("POST", "/api/v1/consent/attestations"): "A",
    ("GET", "/api/v1/audit/entries/{index}"): "BIN",
    ("GET", "/api/v1/governance/fields"): "BI",
    ("GET", "/api/v1/me/accesses"): "A",
    ("GET", "/api/v1/me/accesses/cascade"): "A",
    ("GET", "/api/v1/exchange/subject-accesses"): "A",
    ("GET", "/api/v1/catalog/resources"): "BDI",
    ("POST", "/api/v1/catalog/resources"): "BD",
    ("POST", "/api/v1/catalog/import"): "B",
    ("GET", "/api/v1/catalog/resources/{code}"): "BDI",
    ("PATCH", "/api/v1/catalog/resources/{code}"): "BD",
    ("DELETE", "/api/v1/catalog/resources/{code}"): "BD",
    ("GET", "/api/v1/catalog/demands"): "BDI",
    ("POST", "/api/v1/catalog/demands"): "BD",
    ("GET", "/api/v1/catalog/demands/{demand_id}/matches"): "BDI",
    ("POST", "/api/v1/catalog/match"): "BDI",
    ("GET", "/api/v1/catalog/gaps"): "BI",
    ("GET", "/api/v1/catalog/changes"): "BN",
    ("POST", "/api/v1/catalog/grants"): "BD",
    ("GET", "/api/v1/catalog/grants"): "BDI",
    ("GET", "/api/v1/catalog/grants/{grant_id}"): "BDI",
    ("POST", "/api/v1/catalog/grants/{grant_id}/approve"): "BD",
    ("POST", "/api/v1/catalog/grants/{grant_id}/refuse"): "BD",
    ("POST", "/api/v1/catalog/grants/{grant_id}/override"): "BD",
    ("GET", "/api/v1/governance/egress"): "BI",
    ("POST", "/api/v1/catalog/lists"): "B",
    ("GET", "/api/v1/catalog/reports"): "BI",
    ("GET", "/api/v1/relying-parties"): "B",
    ("POST", "/api/v1/relying-parties"): "B",
    ("GET", "/api/v1/relying-parties/mine"): "V",
    ("GET", "/api/v1/relying-parties/{uscc}"): "BV",
    ("POST", "/api/v1/relying-parties/{uscc}/suspend"): "B",
    ("POST", "/api/v1/relying-parties/{uscc}/reinstate"): "B",
    ("POST", "/api/v1/relying-parties/{uscc}/requests"): "V",
}

# Accepts only tokens another node of the registry minted for this one (aud), so that a
# citizen's home node can gather their accesses; test_me_cascade runs it across nodes.
MINTED_FOR_US = {("GET", "/api/v1/exchange/subject-accesses")}


def _bearer(client: TestClient, role: Role, subject: str, org: str | None = None) -> Any:
    tokens = client.app.state.node.tokens  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {tokens.issue(role.value, subject, organisation=org)}"}


def test_the_documented_roles_are_the_pinned_policy(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    documented = {
        (method.upper(), path): "".join(
            sorted(k for k, v in ROLE_LETTERS.items() if v.value in operation["x-certfree-roles"])
        )
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "x-certfree-roles" in operation
    }
    assert documented == {key: "".join(sorted(value)) for key, value in POLICY.items()}


@pytest.mark.parametrize(("method", "path"), sorted(POLICY))
def test_every_role_outside_the_policy_is_refused(
    client: TestClient, method: str, path: str
) -> None:
    url = re.sub(r"\{[^}]+\}", "1", path)
    refused = [role for letter, role in ROLE_LETTERS.items() if letter not in POLICY[method, path]]
    for role in refused:
        headers = _bearer(client, role, "stranger", org="370200-SW")
        response = client.request(method, url, headers=headers)
        if (method, path) in MINTED_FOR_US:  # this node's own tokens are not even accepted
            assert response.status_code == 401, f"{role} {method} {path}: {response.text}"
            continue
        assert response.status_code == 403, f"{role} {method} {path}: {response.text}"
        assert f"role '{role}' may not do this" in response.json()["detail"]


# Object rules: the owner may, a stranger organisation or person may not.


@pytest.fixture
def checked(client: TestClient) -> dict[str, Any]:
    """A civil-affairs proof item with a submitted commitment drawn for checking."""
    node = client.app.state.node  # type: ignore[attr-defined]
    with node.db.session() as session:
        item = proof_item(session, name="婚姻状况证明", department=DepartmentKind.MZ)
        commitments.set_sampling_plan(session, item.code, PlanSettings(base_rate=1), actor="t")
        row = signed(session, node.keys, item.code)
        commitments.submit_commitment(session, row.id, applicant_id=row.applicant_id)
        [check] = commitments.draw_after_checks(session, seed="s", proof_code=item.code)
        return {"proof": item.code, "check": check.id, "applicant": row.applicant_id}


OUTCOME = {"outcome": "false_commitment", "method": "data_check", "note": "登记显示已婚"}


@pytest.mark.parametrize("org", ["370100-GA", "370100-RS", None, "not-an-organ"])
def test_after_checks_are_the_owning_departments_only(
    client: TestClient, checked: dict[str, Any], org: str | None
) -> None:
    stranger = _bearer(client, Role.DEPARTMENT_ADMIN, "other", org=org)
    listed = client.get("/api/v1/after-checks", headers=stranger)
    if org is None or org == "not-an-organ":
        assert listed.status_code == 403
    else:
        assert listed.json() == []  # no applicant's ID number leaks to other departments
    drawn = client.post(
        "/api/v1/after-checks/draw", json={"seed": "x", "proof_code": checked["proof"]},
        headers=stranger,
    )  # fmt: skip
    assert drawn.status_code == 403
    outcome = client.post(
        f"/api/v1/after-checks/{checked['check']}/outcome", json=OUTCOME, headers=stranger
    )
    assert outcome.status_code == 403
    applicant = _bearer(client, Role.APPLICANT, checked["applicant"])
    assert client.get("/api/v1/me/credit", headers=applicant).json() == []

    owner = _bearer(client, Role.DEPARTMENT_ADMIN, "mz", org="370100-MZ")
    assert [c["id"] for c in client.get("/api/v1/after-checks", headers=owner).json()] == [
        checked["check"]
    ]
    bureau = _bearer(client, Role.BUREAU_ADMIN, "bureau")
    assert len(client.get("/api/v1/after-checks", headers=bureau).json()) == 1
    done = client.post(
        f"/api/v1/after-checks/{checked['check']}/outcome", json=OUTCOME, headers=owner
    )
    assert done.status_code == 200, done.text
    assert len(client.get("/api/v1/me/credit", headers=applicant).json()) == 1


def test_a_registration_record_is_read_by_the_person_or_public_security_only(
    client: TestClient,
) -> None:
    node = client.app.state.node  # type: ignore[attr-defined]
    with node.db.session() as session:
        resident = person(session).id_number
        other = person(session).id_number
    url = f"/api/v1/people/{resident}"
    assert client.get(url, headers=_bearer(client, Role.APPLICANT, resident)).status_code == 200
    assert client.get(url, headers=_bearer(client, Role.APPLICANT, other)).status_code == 403
    police = _bearer(client, Role.DEPARTMENT_ADMIN, "ga", org="370100-GA")
    assert client.get(url, headers=police).json()["id_number"] == resident
    for org in ("370100-MZ", "370100-SW", None):
        stranger = _bearer(client, Role.DEPARTMENT_ADMIN, "x", org=org)
        assert client.get(url, headers=stranger).status_code == 403
    for role in (Role.CLERK, Role.BUREAU_ADMIN, Role.VERIFIER):
        assert client.get(url, headers=_bearer(client, role, "x")).status_code == 403


@pytest.mark.usefixtures("demo_registry")  # issues as a registered department node
def test_an_organ_issues_only_to_holders_of_its_region(client: TestClient) -> None:
    node = client.app.state.node  # type: ignore[attr-defined]
    born = dt.date(1950, 5, 1)
    with node.db.session() as session:
        jinan = person(session, birth=born, county="370102")
        qingdao = person(session, birth=born, county="370202")
        people = {p.id_number: (p.name, p.address_code) for p in (jinan, qingdao)}
    jinan_health = _bearer(client, Role.DEPARTMENT_ADMIN, "wj", org="370100-WJ")

    def issue(holder: str) -> Any:
        name, _ = people[holder]
        face = example_face(ELDERLY_CARD, id_number=holder, name=name, birth_date=born.isoformat())
        return client.post(
            "/api/v1/certificates",
            json={
                "type_code": ELDERLY_CARD,
                "holder_id": holder,
                "face_data": face,
                "holder_jwk": holder_key(),
            },
            headers=jinan_health,
        )

    assert issue(jinan.id_number).status_code == 201
    refused = issue(qingdao.id_number)
    assert refused.status_code == 403, refused.text
    assert refused.json()["type"] == "/problems/certificate-holder-outside-jurisdiction"
    assert refused.json()["field"] == "holder"


@pytest.mark.parametrize("org", [None, "370200", "370000-MZ"])
def test_only_staff_of_the_asking_node_ask_from_it(client: TestClient, org: str | None) -> None:
    body = {
        "question": "marital_status",
        "provider": "370100-MZ",
        "args": {"id_number": "370102195803150139"},
        "service_item": "370000-000201-001",
        "purpose": "结婚登记",
    }
    response = client.post(
        "/api/v1/exchange/ask", json=body, headers=_bearer(client, Role.CLERK, "c", org=org)
    )
    assert response.status_code == 403
    assert response.json()["field"] == "org"
