"""Node identity, health, JWKS and the problem+json shape of errors."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from certfree.crypto import KeyStore


def test_healthz_reports_database_and_schema(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["schema_current"] is True


def test_node_identity_lists_its_keys(client: TestClient, keys: KeyStore) -> None:
    body = client.get("/api/v1/node").json()
    assert body["code"] == "370000"
    assert body["name"] == "山东省大数据局"
    assert body["level"] == "province"
    assert body["parent_url"] is None
    node_keys = keys.keys("node")
    assert body["key_ids"] == [k.kid for k in node_keys]
    assert body["active_key_id"] == node_keys[0].kid


def test_jwks_serves_active_and_retired_keys_after_rotation(
    client: TestClient, keys: KeyStore
) -> None:
    first = client.get("/.well-known/jwks.json")
    assert first.headers["content-type"].startswith("application/jwk-set+json")
    assert len(first.json()["keys"]) == 1
    old_kid = first.json()["keys"][0]["kid"]
    new = keys.rotate("node")
    kids = {k["kid"] for k in client.get("/.well-known/jwks.json").json()["keys"]}
    assert kids == {old_kid, new.kid}
    assert client.get("/api/v1/node").json()["active_key_id"] == new.kid
    for jwk in client.get("/.well-known/jwks.json").json()["keys"]:
        assert "d" not in jwk  # never a private part


def test_openapi_is_served(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/node" in spec["paths"]


def test_unknown_route_is_problem_json(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["instance"] == "/api/v1/nothing-here"
    assert response.json()["title"] == "未找到"
    english = client.get("/api/v1/nothing-here", headers={"Accept-Language": "en-GB,en"})
    assert english.json()["title"] == "Not found"


def test_invalid_identifier_names_field_and_fault(client: TestClient, token_for: Any) -> None:
    response = client.get(
        "/api/v1/identifiers/resident-id",
        params={"value": "110105194912310021"},
        headers=token_for("clerk", "staff-1"),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "/problems/invalid-identifier"
    assert body["field"] == "value"
    assert "'X'" in body["detail"]


def test_request_validation_error_names_field(client: TestClient, token_for: Any) -> None:
    response = client.get(
        "/api/v1/nodes", params={"level": "village"}, headers=token_for("clerk", "s")
    )
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "level"
    assert body["errors"][0]["in"] == "query"
