"""The provincial index over HTTP: who may read which entries (the holder only their own,
a node's admin only its node's, the bureau all), the feed's credentials (a signed request
for this feed or a bureau token, nothing else), the one trust list, and bad parameters
answered as RFC 9457 problems naming the field."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from certfree.auth.tokens import NODE_KEY_OWNER
from certfree.catalog import sign_harvest_request
from certfree.certs import TRUST_LIST_TYP, TrustList
from certfree.certs import index as cert_index
from certfree.certs.index import INDEX_FEED_TYP
from certfree.crypto import KeyStore
from certfree.nodes.feeds import Source, sign_feed_request
from certfree.storage import Database
from factories.cert_index import CITY, City, LocalIndex, city_node, issue, register_city
from factories.certificates import ID_CARD, example_face

HOLDER = example_face(ID_CARD)["id_number"]


@pytest.fixture(autouse=True)
def _organs(demo_registry: None) -> None:
    """The demo province's nodes in the province's registry, as after ``demo init``."""


@pytest.fixture
def city(tmp_path: Path) -> Iterator[City]:
    with city_node(tmp_path) as node:
        yield node


@pytest.fixture
def harvested(db: Database, city: City) -> list[str]:
    """Two certificates issued at 济南 and indexed at the province (this test's node)."""
    register_city(db, city)
    issued = issue(city, 2)
    cert_index.harvest_index(db, [Source(CITY, None)], LocalIndex({CITY: city}))
    return issued


def _bearer(client: TestClient, role: str, subject: str = "tester", org: str | None = None) -> Any:
    tokens = client.app.state.node.tokens  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {tokens.issue(role, subject, organisation=org)}"}


def test_a_holder_reads_only_their_own_entries(client: TestClient, harvested: list[str]) -> None:
    own = client.get("/api/v1/me/certificates/index", headers=_bearer(client, "applicant", HOLDER))
    other = client.get(
        "/api/v1/me/certificates/index", headers=_bearer(client, "applicant", "110101199003070011")
    )
    clerk = client.get("/api/v1/me/certificates/index", headers=_bearer(client, "clerk"))

    assert own.status_code == 200, own.text
    assert sorted(e["identifier"] for e in own.json()) == sorted(harvested)
    assert own.json()[0]["node"] == CITY
    assert own.json()[0]["certificate_url"].startswith(f"http://{CITY}.test/api/v1/certificates/")
    assert HOLDER not in own.text
    assert "holder_commitment" not in own.json()[0]
    assert other.json() == []
    assert clerk.status_code == 403


def test_the_bureau_reads_all_and_a_node_admin_only_its_own(
    client: TestClient, harvested: list[str]
) -> None:
    bureau = client.get("/api/v1/certs/index", headers=_bearer(client, "bureau_admin"))
    jinan = client.get("/api/v1/certs/index", headers=_bearer(client, "bureau_admin", org=CITY))
    qingdao = client.get("/api/v1/certs/index", headers=_bearer(client, "cio", org="370200"))
    peeking = client.get(
        "/api/v1/certs/index", params={"node": CITY}, headers=_bearer(client, "cio", org="370200")
    )
    no_org = client.get("/api/v1/certs/index", headers=_bearer(client, "department_admin"))
    organ = client.get(  # the organ that sealed them (ID cards: 济南's public security)
        "/api/v1/certs/index", headers=_bearer(client, "department_admin", org=f"{CITY}-GA")
    )
    other_organ = client.get(
        "/api/v1/certs/index", headers=_bearer(client, "department_admin", org=f"{CITY}-MZ")
    )

    assert sorted(e["identifier"] for e in bureau.json()) == sorted(harvested)
    assert sorted(e["identifier"] for e in jinan.json()) == sorted(harvested)
    assert qingdao.json() == []
    assert (peeking.status_code, peeking.json()["field"]) == (403, "node")
    assert (no_org.status_code, no_org.json()["field"]) == (403, "org")
    assert sorted(e["identifier"] for e in organ.json()) == sorted(harvested)
    assert other_organ.json() == []
    assert "face_data" not in bureau.text
    assert HOLDER not in bureau.text


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/certs/index", {"limit": 0}, "limit"),
        ("/api/v1/certs/index", {"offset": -1}, "offset"),
        ("/api/v1/certs/index/feed", {"since": -1}, "since"),
        ("/api/v1/certs/index/feed", {"limit": 5000}, "limit"),
    ],
)
def test_bad_parameters_are_problems_naming_the_field(
    client: TestClient, path: str, params: dict[str, Any], field: str
) -> None:
    response = client.get(path, params=params, headers=_bearer(client, "bureau_admin"))

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in str(response.json())


def test_the_feed_opens_to_a_signed_request_for_it_or_a_bureau_token(
    client: TestClient, db: Database, city: City, keys: KeyStore
) -> None:
    register_city(db, city)  # 济南 asks the province's own feed, signed with its key
    issue(city, 1)
    signer = city[1].signer(NODE_KEY_OWNER)
    signed = sign_feed_request(
        signer, typ=INDEX_FEED_TYP, harvester=CITY, node="370000", since=0, limit=10
    )
    catalog_one = sign_harvest_request(signer, harvester=CITY, node="370000", since=0, limit=10)
    stranger = KeyStore(Path(str(db.engine.url.database)).parent / "stranger", "x" * 24)
    stranger.create(NODE_KEY_OWNER)
    forged = sign_feed_request(
        stranger.signer(NODE_KEY_OWNER),
        typ=INDEX_FEED_TYP, harvester=CITY, node="370000", since=0, limit=10,
    )  # fmt: skip

    def ask(headers: dict[str, str] | None) -> Any:
        return client.get(
            "/api/v1/certs/index/feed", params={"since": 0, "limit": 10}, headers=headers
        )

    node = ask({"Authorization": f"Bearer {signed}"})
    assert node.status_code == 200, node.text
    assert node.json()["node"] == "370000"
    assert TrustList.from_token(node.json()["trust_list"]).publisher == "370000"
    assert ask(None).status_code == 401
    assert ask({"Authorization": f"Bearer {catalog_one}"}).status_code == 401
    assert ask({"Authorization": f"Bearer {forged}"}).status_code == 401
    assert ask(_bearer(client, "department_admin", org="370000-GA")).status_code == 403
    assert ask(_bearer(client, "bureau_admin")).status_code == 200


def test_the_province_trust_list_is_handed_to_verifiers(
    client: TestClient, harvested: list[str], keys: KeyStore
) -> None:
    response = client.get("/api/v1/certs/index/trust-list", headers=_bearer(client, "verifier"))
    applicant = client.get(
        "/api/v1/certs/index/trust-list", headers=_bearer(client, "applicant", HOLDER)
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == f"application/{TRUST_LIST_TYP}"
    trust = TrustList.from_token(response.text, keys.active(NODE_KEY_OWNER).public_jwk)
    assert trust.serial == 1
    assert trust.publisher == "370000"
    assert harvested[0].split(".")[6] in trust.issuers  # 济南's organ, from its own list
    assert applicant.status_code == 403


def test_the_index_status_is_the_bureaus(client: TestClient, harvested: list[str]) -> None:
    status = client.get("/api/v1/certs/index/status", headers=_bearer(client, "bureau_admin"))
    clerk = client.get("/api/v1/certs/index/status", headers=_bearer(client, "clerk"))

    assert status.json()[0] | {"last_ok_at": None, "last_attempt_at": None} == {
        "node": CITY, "cursor": 2, "last_status": "ok", "last_ok_at": None,
        "last_attempt_at": None, "last_error": None, "entries": 2, "issuers": 1,
    }  # fmt: skip
    assert clerk.status_code == 403
