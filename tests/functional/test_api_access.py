"""Who may call what: every endpoint declares its roles; none is open by accident."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

# The only operations anybody may call without a token: identity, keys, health, docs, landing.
PUBLIC_OPERATIONS = {
    ("GET", "/"),
    ("GET", "/healthz"),
    ("GET", "/api/v1/node"),
    # The JOSE profile of our SM2 seals, for verifiers outside the SM ecosystem.
    ("GET", "/api/v1/node/jose-profiles/sm2"),
    ("GET", "/.well-known/jwks.json"),
    # The proof-item list is published to citizens (清单之外无证明).
    ("GET", "/proofs"),
    ("GET", "/api/v1/proofs"),
    ("GET", "/api/v1/proofs.csv"),
    ("GET", "/api/v1/proofs/versions"),
    ("GET", "/api/v1/proofs/diff"),
    ("GET", "/api/v1/proofs/{code}"),
    ("GET", "/api/v1/legal-documents"),
    # The certificate type catalogue and the issuers' status lists are read by every verifier.
    ("GET", "/api/v1/cert-types"),
    ("GET", "/api/v1/cert-types/{code}"),
    ("GET", "/api/v1/status-lists/{issuer}/{list_no}"),
    # The online mode: a holder's low-end phone parks a signed presentation (no token).
    ("POST", "/api/v1/short-codes"),
    # The questions nodes can be asked are published, like X-Road's service descriptions.
    ("GET", "/api/v1/questions"),
    ("GET", "/api/v1/questions/{name}"),
    # Node-to-node messages authenticate by their own signature; the registry is signed.
    ("POST", "/api/v1/exchange/messages"),
    ("GET", "/api/v1/exchange/registry"),
    ("GET", "/api/v1/exchange/registry/serial"),
    # The register of relying parties is published signed, for wallets to work offline.
    ("GET", "/api/v1/relying-parties/register"),
    # Shandong publishes its data supply and demand lists (供需两张清单) openly.
    ("GET", "/catalog/lists"),
    ("GET", "/api/v1/catalog/lists"),
    ("GET", "/api/v1/catalog/lists/{kind}/{date}"),
    # A citizen's own page is a shell; its data comes from /api/v1/me/* with their token.
    ("GET", "/me"),
    ("GET", "/wallet"),
    ("GET", "/wallet/{identifier}"),
    ("GET", "/apply"),
    ("GET", "/apply/{app_id}"),
    ("GET", "/desk"),
    ("GET", "/desk/ask"),
    ("GET", "/desk/applications/{app_id}"),
    ("GET", "/verify"),
    # The department admin's page is a shell; its data comes from the API with the admin's token.
    ("GET", "/dept"),
    # The bureau's page is a shell too; its data comes from the API with a bureau token.
    ("GET", "/bureau"),
    # Signing in at the province's OpenID provider starts and ends without a token.
    ("GET", "/auth/oidc/start"),
    ("GET", "/auth/oidc/callback"),
    # The audit log's signed head and consistency proofs hold only sizes and hashes.
    ("GET", "/api/v1/audit/head"),
    ("GET", "/api/v1/audit/consistency"),
}
SAMPLE_PATH_VALUES = {
    "id_number": "11010519491231002X",
    "kind": "uscc",
    # a service item (政务服务事项) code of the demo province
    "code": "371A0101000000-370100000000-000-113701000100000206-1-00",
    # a GB/T 36904 e-certificate identifier, an issuer USCC and a status list number
    "identifier": "1.2.156.3005.2.11100000000013709K001.11370100010000063K.0000000001.001.I",
    "issuer": "11370100010000063K",
    "list_no": "1",
    "review_id": "1",
    "grant_id": "1",
    "consent_id": "0123456789abcdef0123456789abcdef",
    "name": "marital_status",
    "request_id": "0b7f3c1e-4d1a-4c5e-9f7a-2d3b4c5d6e7f",
    "index": "0",
    "demand_id": "1",
}


def _operations(client: TestClient) -> list[tuple[str, str, dict[str, object]]]:
    spec = client.get("/openapi.json").json()
    return [
        (method.upper(), path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    ]


def _concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: SAMPLE_PATH_VALUES.get(m.group(1), "x"), path)


def test_every_operation_is_public_by_declaration_or_refuses_without_token(
    client: TestClient,
) -> None:
    operations = _operations(client)
    assert len(operations) >= 8
    for method, path, operation in operations:
        declared_public = operation.get("x-certfree-public") is True
        assert declared_public == ((method, path) in PUBLIC_OPERATIONS), (method, path)
        if declared_public:
            continue
        assert operation.get("x-certfree-roles"), f"{method} {path} declares no roles"
        response = client.request(method, _concrete(path), params={"value": "x"})
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["type"] == "/problems/unauthenticated"


def test_wrong_role_is_403_naming_the_allowed_roles(client: TestClient, token_for: Any) -> None:
    response = client.get("/api/v1/keys", headers=token_for("clerk", "staff-7"))
    assert response.status_code == 403
    body = response.json()
    assert body["status"] == 403
    assert "role 'clerk' may not do this" in body["detail"]
    assert "bureau_admin" in body["detail"]


def test_token_identifies_the_caller(client: TestClient, token_for: Any) -> None:
    response = client.get("/api/v1/whoami", headers=token_for("clerk", "staff-7"))
    assert response.status_code == 200
    assert response.json() == {
        "subject": "staff-7",
        "role": "clerk",
        "issuer": "370000",
        "organisation": None,
    }


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda t: t[:-4] + ("AAAA" if not t.endswith("AAAA") else "BBBB"), "signature"),
        (lambda t: "not-a-token", "JWS"),
    ],
)
def test_tampered_token_is_refused(
    client: TestClient, token_for: Any, mangle: Callable[[str], str], reason: str
) -> None:
    token = token_for("bureau_admin", "ops")["Authorization"].removeprefix("Bearer ")
    response = client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {mangle(token)}"})
    assert response.status_code == 401
    assert "bearer token refused" in response.json()["detail"]


def test_expired_token_is_refused(client: TestClient) -> None:
    tokens = client.app.state.node.tokens  # type: ignore[attr-defined]
    old = tokens.issue("clerk", "staff-1", ttl_seconds=60, now=time.time() - 3600)
    response = client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {old}"})
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_unknown_role_cannot_be_issued(client: TestClient) -> None:
    tokens = client.app.state.node.tokens  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="unknown role 'janitor'"):
        tokens.issue("janitor", "x")
