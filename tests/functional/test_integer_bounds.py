"""Every integer a client sends is bounded in the OpenAPI document and answered 422 above
2^63 - 1, before it reaches the database (a driver overflow would be a 500)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

INT64_MAX = 2**63 - 1
HUGE = str(2**65 - 1)  # 36893488147419103231
PAST_INT32 = str(2**31)  # one past PostgreSQL's INTEGER, the type of the id columns


def _integers(schema: Any, document: dict[str, Any], where: str) -> list[tuple[str, Any]]:
    """Every integer schema inside ``schema``, following $refs, with where it was found."""
    found: list[tuple[str, Any]] = []
    pending: list[tuple[str, Any]] = [(where, schema)]
    seen: set[str] = set()
    while pending:
        path, node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref not in seen:
                seen.add(ref)
                target: Any = document
                for part in ref.removeprefix("#/").split("/"):
                    target = target[part]
                pending.append((f"{path}->{ref.rsplit('/', 1)[-1]}", target))
            if node.get("type") == "integer":
                found.append((path, node))
            pending.extend((f"{path}.{key}", value) for key, value in node.items())
        elif isinstance(node, list):
            pending.extend((path, value) for value in node)
    return found


def test_every_integer_input_in_the_openapi_document_has_a_maximum(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    unbounded = []
    for route, operations in document["paths"].items():
        for method, operation in operations.items():
            inputs: list[Any] = [p.get("schema", {}) for p in operation.get("parameters", [])]
            body = operation.get("requestBody", {}).get("content", {})
            inputs.extend(media.get("schema", {}) for media in body.values())
            for schema in inputs:
                for path, integer in _integers(schema, document, f"{method} {route}"):
                    # JSON Schema numbers are doubles: 2^63 exactly as an exclusive bound.
                    inclusive = integer.get("maximum", float("inf")) <= INT64_MAX
                    exclusive = integer.get("exclusiveMaximum", float("inf")) <= 2**63
                    if not (inclusive or exclusive):
                        unbounded.append(f"{path} {integer}")
    assert not unbounded, "\n".join(unbounded)


@pytest.mark.parametrize(
    ("path", "role", "field"),
    [
        (f"/api/v1/proofs.csv?version={HUGE}", None, "version"),
        (f"/api/v1/proofs/diff?from={HUGE}&to=1", None, "from"),
        (f"/api/v1/commitments/{HUGE}", "applicant", "id"),
        (f"/api/v1/catalog/resources?offset={HUGE}", "bureau_admin", "offset"),
        (f"/api/v1/catalog/changes?since={HUGE}", "node", "since"),
        (f"/api/v1/catalog/grants?demand_id={HUGE}", "bureau_admin", "demand_id"),
        (f"/api/v1/status-lists/11370100010000063K/{HUGE}", None, "list_no"),
        ("/api/v1/audit/consistency?first=0", None, "first"),
        (f"/api/v1/proofs?version={PAST_INT32}", None, "version"),
        (f"/api/v1/commitments/{PAST_INT32}", "applicant", "id"),
        (f"/api/v1/grants/{PAST_INT32}", "bureau_admin", "grant_id"),
        (f"/api/v1/catalog/changes?since={PAST_INT32}", "node", "since"),
    ],
)
def test_integers_past_int64_are_422_naming_the_field(
    client: TestClient, token_for: Any, path: str, role: str | None, field: str
) -> None:
    response = client.get(path, headers=token_for(role) if role else {})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == field
