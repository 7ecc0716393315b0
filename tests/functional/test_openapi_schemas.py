"""The OpenAPI document names every schema by what it is and gives every JSON answer a
schema, so a client generated from it gets typed models with readable names."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

JSON = "application/json"


def _document(client: TestClient) -> dict[str, Any]:
    document: dict[str, Any] = client.get("/openapi.json").json()
    return document


def test_component_schema_names_are_clean(client: TestClient) -> None:
    names = list(_document(client)["components"]["schemas"])
    # FastAPI falls back to module-qualified names (``certfree__api__x__Model``) when two
    # models share a class name, and splits a model read and written with different shapes
    # into ``Model-Input`` and ``Model-Output``.
    unclear = [name for name in names if "__" in name or name.endswith(("-Input", "-Output"))]
    assert unclear == []


def _typed(schema: dict[str, Any]) -> bool:
    """A schema that names its fields: a model, a list or union of models, or a scalar; not
    ``{}`` nor a free-form object (what ``dict[str, Any]`` documents)."""
    if "$ref" in schema:
        return True
    if "oneOf" in schema or "anyOf" in schema:
        return all(_typed(s) for s in schema.get("oneOf", schema.get("anyOf", [])))
    kind = schema.get("type")
    if kind == "array":
        return _typed(schema.get("items", {}))
    if kind == "object":
        return bool(schema.get("properties"))
    return kind in {"string", "integer", "number", "boolean"}


def test_every_json_success_response_has_a_typed_schema(client: TestClient) -> None:
    untyped = []
    for path, operations in _document(client)["paths"].items():
        for method, operation in operations.items():
            for status in ("200", "201"):
                content = operation.get("responses", {}).get(status, {}).get("content", {})
                for media, body in content.items():
                    if "json" in media and not _typed(body.get("schema", {})):
                        untyped.append(f"{method.upper()} {path} {status} {media}")
    assert untyped == []


@pytest.mark.parametrize(
    ("path", "media"),
    [
        ("/api/v1/proofs.csv", "text/csv"),
        ("/api/v1/status-lists/{issuer}/{list_no}", "application/statuslist+jwt"),
        ("/api/v1/trust-list", "application/trustlist+jwt"),
        ("/api/v1/exchange/registry", "application/jose"),
        ("/.well-known/jwks.json", "application/jwk-set+json"),
    ],
)
def test_responses_that_are_not_json_declare_their_media_type_only(
    client: TestClient, path: str, media: str
) -> None:
    content = _document(client)["paths"][path]["get"]["responses"]["200"]["content"]
    assert list(content) == [media]


def test_a_route_answers_what_its_schema_declares(client: TestClient) -> None:
    document = _document(client)
    schema = document["paths"]["/api/v1/cert-types"]["get"]["responses"]["200"]["content"]
    ref = schema["application/json"]["schema"]["items"]["$ref"].rsplit("/", 1)[-1]
    declared = set(document["components"]["schemas"][ref]["properties"])
    answered = client.get("/api/v1/cert-types").json()
    assert answered
    assert all(set(kind) == declared for kind in answered)


@pytest.mark.parametrize(
    ("kind", "value", "model"),
    [
        ("resident-id", "11010519491231002X", "ResidentIdCheck"),
        ("uscc", "91350100M000100Y43", "UsccCheck"),
        ("division", "370100", "DivisionCheck"),
        (
            "cert-id",
            "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
            "CertIdCheck",
        ),
    ],
)
def test_an_identifier_check_answers_the_model_of_its_kind(
    client: TestClient, token_for: Any, kind: str, value: str, model: str
) -> None:
    response = client.get(
        f"/api/v1/identifiers/{kind}", params={"value": value}, headers=token_for("clerk")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["kind"] == kind
    assert body["valid"] is True
    declared = _document(client)["components"]["schemas"][model]["properties"]
    assert set(body) == set(declared)


def test_a_division_lists_its_former_names(client: TestClient, token_for: Any) -> None:
    response = client.get(
        "/api/v1/identifiers/division", params={"value": "370811"}, headers=token_for("clerk")
    )
    assert response.status_code == 200, response.text
    assert response.json()["former_names"] == ["郊区", "市郊区"]
