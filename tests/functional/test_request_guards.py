"""What every request and response goes through: body caps, strict JSON, browser headers, and
the problem+json details RFC 6750, 9110 and 9457 ask for."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

DEEP = "[" * 1000 + "]" * 1000
JSON = {"Content-Type": "application/json"}


def _is_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = dict(response.json())
    assert body["status"] == status
    return body


@pytest.mark.parametrize(
    "route",
    [
        ("/api/v1/commitments", "applicant"),
        ("/api/v1/short-codes", None),
        ("/api/v1/verifications", "verifier"),
        ("/api/v1/exchange/ask", "clerk"),
        ("/api/v1/catalog/match", "department_admin"),
    ],
)
@pytest.mark.parametrize(
    ("body", "says"),
    [
        (DEEP, "nests deeper than 64 levels"),
        ('{"a": NaN}', "NaN is not a JSON number"),
        ('{"a": 1e400}', "out of the range of a double"),
        ('{"a": [' * 500 + "]}" * 500, "nests deeper"),
    ],
)
def test_hostile_json_bodies_are_422_naming_the_body(
    client: TestClient, token_for: Any, route: tuple[str, str | None], body: str, says: str
) -> None:
    path, auth = route
    headers = {**JSON, **(token_for(auth) if auth else {})}
    problem = _is_problem(client.post(path, content=body, headers=headers), 422)
    assert problem["field"] == "body"
    assert says in problem["detail"]


def test_a_body_over_the_cap_is_413_before_it_is_read_whole(
    client: TestClient, token_for: Any
) -> None:
    big = '{"text": "' + "x" * (1024 * 1024 + 1) + '"}'
    problem = _is_problem(
        client.post(
            "/api/v1/catalog/match", content=big, headers={**JSON, **token_for("bureau_admin")}
        ),
        413,
    )
    assert problem["max_bytes"] == 1024 * 1024
    assert "1048576" in problem["detail"]
    # Not JSON, same cap: a signed node message.
    _is_problem(
        client.post(
            "/api/v1/exchange/messages",
            content=b"a" * (1024 * 1024 + 1),
            headers={"Content-Type": "application/jose"},
        ),
        413,
    )


def test_an_upload_route_has_its_own_larger_cap(client: TestClient, token_for: Any) -> None:
    rows = "证明名称,证明内容\n" + "名称,内容\n" * 200_000  # ~2.4 MB, over the JSON cap
    response = client.post(
        "/api/v1/proofs/import",
        content=rows.encode(),
        headers={"Content-Type": "text/csv", **token_for("bureau_admin")},
    )
    assert response.status_code != 413
    assert response.status_code < 500


def test_a_deeply_nested_bearer_token_header_is_401(client: TestClient) -> None:
    from certfree.crypto import b64url_encode  # noqa: PLC0415

    token = f"{b64url_encode(DEEP.encode())}.{b64url_encode(b'{}')}.AAAA"
    response = client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    _is_problem(response, 401)
    # RFC 6750 §3.1: a token was sent and refused.
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_no_token_is_a_challenge_without_an_error_code(client: TestClient) -> None:
    response = client.get("/api/v1/whoami")
    _is_problem(response, 401)
    assert response.headers["www-authenticate"] == 'Bearer realm="certfree"'


def test_405_lists_the_allowed_methods(client: TestClient) -> None:
    response = client.delete("/api/v1/node")
    _is_problem(response, 405)
    assert response.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize("path", ["/", "/me", "/desk", "/proofs", "/api/v1/node", "/nowhere"])
def test_every_response_forbids_framing_and_sniffing(client: TestClient, path: str) -> None:
    response = client.get(path)
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"


def test_every_problem_type_resolves_to_a_page_describing_it(client: TestClient) -> None:
    from certfree.api.problems import problem_types  # noqa: PLC0415

    types = problem_types()
    assert {"invalid-input", "invalid-json", "forbidden", "content-too-large"} <= set(types)
    for slug, kind in types.items():
        page = client.get(f"/problems/{slug}", headers={"Accept-Language": "en"})
        assert page.status_code == 200, slug
        assert str(escape(kind.title)) in page.text
    # A problem's type, as a client gets it, is such a page.
    refused = client.get("/api/v1/whoami")
    described = client.get(refused.json()["type"])
    assert "需要身份认证" in described.text
    assert client.get("/problems/no-such-thing").status_code == 404


def test_the_openapi_document_declares_the_problem_answers(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    text = client.get("/openapi.json").text
    for ref in set(re.findall(r'"\$ref":\s*"#/components/schemas/([^"]+)"', text)):
        assert ref in document["components"]["schemas"], ref
    problem = {"$ref": "#/components/schemas/Problem"}
    withdraw = document["paths"]["/api/v1/commitments/{id}/withdraw"]["post"]["responses"]
    assert set(withdraw) >= {"200", "401", "403", "404", "422"}
    for status in ("401", "403", "404", "422"):
        assert withdraw[status]["content"] == {"application/problem+json": {"schema": problem}}
    match = document["paths"]["/api/v1/catalog/match"]["post"]["responses"]
    assert "413" in match
    node = document["paths"]["/api/v1/node"]["get"]["responses"]
    assert set(node) == {"200"}  # public, no input: nothing else to declare


def _jws(header: str, payload: str) -> str:
    from certfree.crypto import b64url_encode  # noqa: PLC0415

    return f"{b64url_encode(header.encode())}.{b64url_encode(payload.encode())}.AAAA"


def test_deeply_nested_signed_messages_are_refused_by_name(client: TestClient) -> None:
    # A node message whose header or payload nests 1,000 deep.
    for message in (_jws(DEEP, "{}"), _jws('{"alg":"EdDSA","kid":"k"}', DEEP)):
        response = client.post(
            "/api/v1/exchange/messages",
            content=message,
            headers={"Content-Type": "application/jose"},
        )
        assert 400 <= response.status_code < 500, response.text
        assert response.json()["reason"] == "malformed"
    # A harvest request (typ names it) whose claims nest 1,000 deep.
    harvest = _jws('{"typ":"certfree-harvest+jwt","alg":"EdDSA","kid":"k"}', '{"iss":' + DEEP + "}")
    response = client.get("/api/v1/catalog/changes", headers={"Authorization": f"Bearer {harvest}"})
    assert response.status_code == 401, response.text


def test_allow_lists_every_method_of_the_path(client: TestClient) -> None:
    response = client.delete("/api/v1/proofs")
    _is_problem(response, 405)
    assert response.headers["allow"] == "GET, HEAD, POST"


@pytest.mark.parametrize(
    ("request_line", "body", "field"),
    [
        ("GET /api/v1/procedures?q=a%00b", None, "query"),
        ("GET /api/v1/proofs/a%00b", None, "path"),
        ("POST /api/v1/commitments", '{"proof_code": "a\\u0000b", "text_hash": "x"}', "body"),
        ("POST /api/v1/commitments", '{"a\\u0000": 1}', "body"),
    ],
)
def test_text_with_a_nul_character_is_422(
    client: TestClient, token_for: Any, request_line: str, body: str | None, field: str
) -> None:
    method, path = request_line.split(" ")
    headers = {**JSON, **token_for("applicant", "370102195803150139")}
    response = client.request(method, path, content=body, headers=headers)
    problem = _is_problem(response, 422)
    assert problem["field"] == field
    assert "U+0000" in problem["detail"]


def test_a_number_is_not_a_date(client: TestClient, token_for: Any) -> None:
    response = client.post(
        "/api/v1/catalog/lists", json={"date": 0}, headers=token_for("bureau_admin")
    )
    problem = _is_problem(response, 422)
    assert problem["field"] == "date"
    assert "ISO 8601" in problem["detail"]


def test_rate_limits_changes_and_the_cascade_are_declared(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "429" in paths["/api/v1/verifications"]["post"]["responses"]
    assert "429" in paths["/api/v1/short-codes"]["post"]["responses"]
    assert "429" not in paths["/api/v1/commitments"]["post"]["responses"]
    assert "409" in paths["/api/v1/commitments/{id}/withdraw"]["post"]["responses"]
    assert "503" in paths["/api/v1/exchange/ask"]["post"]["responses"]
