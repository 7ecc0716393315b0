"""E-certificates over HTTP: the public catalogue, issuing as a department, status lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from certfree.crypto import parse_sd_jwt, verify_status_list_token
from factories.certificates import ELDERLY_CARD, example_face, holder_key

# Certificates are issued by the demo province's department nodes, registered first.
pytestmark = pytest.mark.usefixtures("demo_registry")

HOLDER = "370102195803150139"
ISSUER_NODE = "370100-WJ"  # 济南市卫生健康委员会, the elderly card's default issuer


def _issue_request(**changes: Any) -> dict[str, Any]:
    return {
        "type_code": ELDERLY_CARD,
        "holder_id": HOLDER,
        "face_data": example_face(ELDERLY_CARD),
        "holder_jwk": holder_key(),
    } | changes


@pytest.fixture
def admin_for(client: TestClient) -> Callable[..., dict[str, str]]:
    """A department_admin bearer header acting for ``org`` (a node code or USCC)."""
    tokens = client.app.state.node.tokens  # type: ignore[attr-defined]

    def _header(org: str | None = ISSUER_NODE) -> dict[str, str]:
        token = tokens.issue("department_admin", "admin-1", organisation=org)
        return {"Authorization": f"Bearer {token}"}

    return _header


def test_the_catalogue_is_public(client: TestClient) -> None:
    listed = client.get("/api/v1/cert-types")
    assert listed.status_code == 200
    names = {t["name"] for t in listed.json()}
    assert {"居民身份证", "老年人优待证", "营业执照"} <= names
    one = client.get(f"/api/v1/cert-types/{ELDERLY_CARD}").json()
    assert one["name"] == "老年人优待证"
    assert one["example"]["id_number"] == HOLDER
    missing = client.get("/api/v1/cert-types/11100000000013709K999")
    assert missing.status_code == 404
    assert "11100000000013709K999" in missing.json()["detail"]


def test_a_department_issues_and_revokes_and_the_list_shows_it(
    client: TestClient, token_for: Any, admin_for: Any
) -> None:
    admin = admin_for()
    response = client.post("/api/v1/certificates", json=_issue_request(), headers=admin)
    assert response.status_code == 201, response.text
    issued = response.json()
    assert issued["version"] == 1
    claims = parse_sd_jwt(issued["credential"]).payload
    assert claims["vct"] == ELDERLY_CARD
    uri = issued["status_list"]["uri"]
    assert uri == claims["status"]["status_list"]["uri"]
    # The node's configured public URL, not the Host header the request came with.
    base = client.app.state.node.settings.base_url  # type: ignore[attr-defined]
    assert uri.startswith(f"{base}/api/v1/status-lists/")
    assert "testserver" not in uri
    path = uri.removeprefix(base)

    jwks = client.get("/.well-known/jwks.json").json()
    issuer_kid = parse_sd_jwt(issued["credential"]).header["kid"]
    assert issuer_kid in {key["kid"] for key in jwks["keys"]}

    first = client.get(path)
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/statuslist+jwt"
    assert first.headers["cache-control"] == "public, max-age=300"
    unchanged = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert unchanged.status_code == 304

    revoked = client.post(
        f"/api/v1/certificates/{issued['identifier']}/revoke",
        json={"reason": "lost"},
        headers=admin,
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status_zh"] == "已注销"
    after = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200
    keys = {key["kid"]: key for key in jwks["keys"]}
    statuses = verify_status_list_token(
        after.text,
        lambda header, _: keys[header["kid"]],
        expected_uri=uri,
        now=claims["iat"],
    )
    assert statuses.get(issued["status_list"]["idx"]) == 1


def test_face_data_errors_are_problem_json_naming_the_field(
    client: TestClient, token_for: Any, admin_for: Any
) -> None:
    bad = _issue_request(face_data=example_face(ELDERLY_CARD, birth_date="15/03/1958"))
    response = client.post("/api/v1/certificates", json=bad, headers=admin_for())
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["field"] == "birth_date"
    assert "出生日期（birth_date）应为 YYYY-MM-DD 格式的日期" in body["detail"]


def test_who_may_issue(client: TestClient, token_for: Any, admin_for: Any) -> None:
    clerk = client.post("/api/v1/certificates", json=_issue_request(), headers=token_for("clerk"))
    assert clerk.status_code == 403
    assert "department_admin" in clerk.json()["detail"]
    no_org = client.post("/api/v1/certificates", json=_issue_request(), headers=admin_for(None))
    assert no_org.status_code == 403
    assert "org" in no_org.json()["detail"]
    civil = client.post(
        "/api/v1/certificates", json=_issue_request(), headers=admin_for("370100-MZ")
    )
    assert civil.status_code == 403
    assert "济南市民政局不能签发老年人优待证" in civil.json()["detail"]


def test_only_the_issuing_organ_changes_a_certificates_status(
    client: TestClient, token_for: Any, admin_for: Any
) -> None:
    issued = client.post("/api/v1/certificates", json=_issue_request(), headers=admin_for()).json()
    base = f"/api/v1/certificates/{issued['identifier']}"
    other = admin_for("370000-WJ")
    assert client.post(f"{base}/suspend", headers=other).status_code == 403
    suspended = client.post(f"{base}/suspend", headers=admin_for())
    assert suspended.json()["status"] == "suspended"
    again = client.post(f"{base}/suspend", headers=admin_for())
    assert again.status_code == 409
    assert client.post(f"{base}/resume", headers=admin_for()).json()["status"] == "issued"
    replaced = client.post(f"{base}/replace", json={}, headers=admin_for())
    assert replaced.status_code == 201
    assert replaced.json()["version"] == 2


def test_applicants_see_only_their_own_certificates(
    client: TestClient, token_for: Any, admin_for: Any
) -> None:
    client.post("/api/v1/certificates", json=_issue_request(), headers=admin_for())
    own = client.get("/api/v1/certificates", headers=token_for("applicant", HOLDER))
    assert own.status_code == 200
    [mine] = own.json()
    assert mine["type_name"] == "老年人优待证"
    assert mine["status_zh"] == "有效"
    assert mine["credential"].count("~") > 5
    nosy = client.get(
        "/api/v1/certificates",
        params={"holder": HOLDER},
        headers=token_for("applicant", "37010219600702024X"),
    )
    assert nosy.status_code == 403
    assert "本人" in nosy.json()["detail"]
    clerk = client.get(
        "/api/v1/certificates", params={"holder": HOLDER}, headers=token_for("clerk")
    )
    assert [c["credential"] for c in clerk.json()] == [None]
    assert client.get("/api/v1/certificates", headers=token_for("verifier")).status_code == 403


def test_one_certificate_by_identifier(client: TestClient, token_for: Any, admin_for: Any) -> None:
    issued = client.post("/api/v1/certificates", json=_issue_request(), headers=admin_for()).json()
    path = f"/api/v1/certificates/{issued['identifier']}"
    mine = client.get(path, headers=token_for("applicant", HOLDER)).json()
    assert (mine["version"], mine["status"]) == (1, "issued")
    assert mine["credential"] == issued["credential"]
    other = client.get(path, headers=token_for("applicant", "37010219600702024X"))
    assert other.status_code == 403
    assert client.get(path, headers=token_for("clerk")).json()["credential"] is None
    assert client.get(path, headers=admin_for("370000-WJ")).status_code == 403
    typo = client.get(path[:-1] + "Z", headers=token_for("clerk"))
    assert typo.status_code == 422
    assert "check character" in typo.json()["detail"]
