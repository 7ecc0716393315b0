"""One node answering for the department nodes it hosts (CERTFREE_HOSTED_DEPARTMENTS): the
province 370000, with the demo nodes registered without endpoints and a married couple in its
database, asks 济南市民政局 (370100-MZ) and answers itself, signed with its own key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from certfree.app import create_app
from certfree.catalog import create_grant
from certfree.cli import app as cli
from certfree.crypto import (
    EncryptionKey,
    Jwk,
    Signer,
    b64url_decode,
    generate_signer,
    verifier_for,
)
from certfree.exchange.protocol.hops import HopResult, encode_results
from certfree.exchange.protocol.lanes import MESSAGES_PATH
from certfree.exchange.protocol.registry import RegistrySnapshot, register_node
from certfree.exchange.protocol.signing import Peer, open_message, seal
from certfree.governance.audit.models import AuditEntry
from certfree.settings import Settings
from certfree.storage import Database
from factories.population import married_couple
from helpers.livenode import serving

PROVINCE, MZ, OTHER_MZ, OTHER_CITY = "370000", "370100-MZ", "370200-MZ", "370200"
SERVICE = "370000-000201-001"
EXEMPT = "《婚姻登记条例》第五条（示例，测试用）"
RETRY_ID = "0b6f3c1e-8d0a-4c52-9f7e-3a1d2c4b5e60"


@pytest.fixture
def husband(db: Database, demo_registry: None) -> str:
    with db.session() as session:
        man, _, _ = married_couple(session)
        for provider in (MZ, OTHER_MZ):
            create_grant(
                session,
                consumer=PROVINCE,
                provider=provider,
                question="marital_status",
                service_item=SERVICE,
                purpose="测试用途",
                data_items=("marital_status",),
                created_by="test",
                consent_exempt_basis=EXEMPT,  # no consent needed: the law allows it
            )
        return man.id_number


@contextmanager
def _node(settings: Settings, hosted: str) -> Iterator[TestClient]:
    hosting = Settings(**{**settings.model_dump(), "hosted_departments": hosted})
    with TestClient(create_app(hosting)) as client:
        yield client


@pytest.fixture
def node(settings: Settings, keys: object, husband: str) -> Iterator[TestClient]:
    """The province hosting every demo department without an endpoint."""
    with _node(settings, "*") as client:
        yield client


@pytest.fixture
def jinan_only(settings: Settings, keys: object, husband: str) -> Iterator[TestClient]:
    """The province hosting only 济南市民政局."""
    with _node(settings, MZ) as client:
        yield client


def _ask(client: TestClient, id_number: str, provider: str = MZ, **extra: Any) -> Any:
    node = client.app.state.node  # type: ignore[attr-defined]
    token = node.tokens.issue("clerk", "staff-1", organisation=PROVINCE)
    return client.post(
        "/api/v1/exchange/ask",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "question": "marital_status",
            "provider": provider,
            "args": {"id_number": id_number},
            "service_item": SERVICE,
            "purpose": "结婚登记",
            **extra,
        },
    )


def _audit(db: Database) -> list[tuple[str, str, str, str]]:
    with db.session() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.leaf_index))
        return [(r.kind, r.consumer, r.provider, r.message_id) for r in rows]


def _published(client: TestClient) -> RegistrySnapshot:
    """The node as its public JWK Set shows it: what anyone checks its signature with."""
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    verifiers = {v.kid: v for v in (verifier_for(key) for key in keys)}
    return RegistrySnapshot(0, 0, 0, {PROVINCE: Peer(PROVINCE, "active", None, verifiers)})


def test_a_hosted_department_is_answered_here_signed_by_this_node(
    node: TestClient, husband: str, db: Database
) -> None:
    response = _ask(node, husband, message_id=RETRY_ID)

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["provider"] == MZ
    assert answer["hosted_by"] == PROVINCE
    assert answer["route"] == [PROVINCE, MZ]
    assert answer["answer"]["result"] == {"status": "married"}
    assert answer["answer"]["legal_basis"] == EXEMPT
    # Signed by this node's published key, stating the department it answered for.
    signed = open_message(answer["answer_jws"], _published(node))
    assert (signed.sender, signed.receiver, signed.on_behalf_of) == (PROVINCE, PROVINCE, MZ)
    assert (signed.type, signed.reply_to) == ("question.answer", RETRY_ID)
    # Both sides of the exchange are in the node's audit log, as between two nodes.
    assert _audit(db) == [
        (kind, PROVINCE, MZ, RETRY_ID)
        for kind in ("request_sent", "request_received", "answer_sent", "answer_received")
    ]


def test_a_retry_with_the_same_message_id_gets_the_same_signed_answer(
    node: TestClient, husband: str, db: Database
) -> None:
    first = _ask(node, husband, message_id=RETRY_ID)
    retry = _ask(node, husband, message_id=RETRY_ID)
    other = _ask(node, husband, message_id=RETRY_ID, purpose="另一件事")

    assert first.status_code == retry.status_code == 200, retry.text
    assert retry.json()["answer_jws"] == first.json()["answer_jws"]
    assert other.status_code == 422
    assert other.json()["reason"] == "replayed"
    assert other.json()["node"] == MZ
    # The one answer was released twice, logged before each release and on each receipt;
    # the replay was logged as sent and refused before the answerer ran again.
    assert [kind for kind, *_ in _audit(db)] == [
        *("request_sent", "request_received", "answer_sent", "answer_received"),
        *("request_sent", "answer_sent", "answer_received"),
        "request_sent",
    ]


def test_a_department_not_hosted_and_without_endpoint_is_still_unreachable(
    jinan_only: TestClient, husband: str
) -> None:
    hosted = _ask(jinan_only, husband)
    not_hosted = _ask(jinan_only, husband, provider=OTHER_MZ)

    assert hosted.status_code == 200, hosted.text
    assert not_hosted.status_code == 409
    problem = not_hosted.json()
    assert problem["type"] == "/problems/node-without-endpoint"
    assert problem["node"] == OTHER_CITY  # the first node on the way that no one can reach


def test_a_department_with_an_endpoint_of_its_own_is_not_hosted_by_star(
    settings: Settings, keys: object, husband: str, db: Database
) -> None:
    with db.session() as session:
        key = generate_signer()
        register_node(session, MZ, jwks={"keys": [key.public_jwk()]}, endpoint_url="http://mz.test")
    with _node(settings, "*") as client:
        response = _ask(client, husband)

    assert response.status_code == 409
    assert response.json()["node"] == "370100"  # sent along the cascade, not answered here


def _forging_peer(signer: Signer, sender: str, on_behalf_of: str, asker: Jwk) -> FastAPI:
    """370200 on the way to 370200-MZ, answering itself with a reply for a department,
    encrypted to the asker's key ``asker`` as a genuine reply would be."""
    peer = FastAPI()

    @peer.post(MESSAGES_PATH)
    async def forge(request: Request) -> Response:
        envelope = json.loads(b64url_decode((await request.body()).decode().split(".")[1]))
        asked = json.loads(b64url_decode(envelope["items"][0]["m"].split(".")[1]))
        body = {
            "question": "marital_status",
            "result": {"status": "unmarried"},
            "grant_id": 1,
            "answered_at": "2024-06-01T08:00:00+00:00",
        }
        forged = seal(
            signer,
            type="question.answer",
            sender=sender,
            receiver=asked["from"],
            body=body,
            reply_to=asked["id"],
            on_behalf_of=on_behalf_of,
            encrypt_to=asker,
        )
        result = HopResult(200, "application/jose", forged.raw.encode())
        return Response(encode_results([result]), media_type="application/json")

    return peer


@pytest.mark.parametrize(
    ("signed_by", "answered_for"),
    [
        (OTHER_CITY, OTHER_MZ),  # a node on the path claims to host the addressee
        (PROVINCE, OTHER_MZ),  # this node's key, for a department it does not host
        (PROVINCE, MZ),  # this node's key, for a hosted department that was not asked
    ],
)
def test_a_hosted_reply_from_a_node_that_does_not_host_the_addressee_is_refused(
    jinan_only: TestClient, husband: str, db: Database, signed_by: str, answered_for: str
) -> None:
    exchange = jinan_only.app.state.node.exchange  # type: ignore[attr-defined]
    city_key = generate_signer()
    signer = city_key if signed_by == OTHER_CITY else exchange.signer()
    asker = exchange.node.encryption_key()
    with serving(_forging_peer(signer, signed_by, answered_for, asker)) as peer:
        with db.session() as session:
            register_node(
                session,
                OTHER_CITY,
                jwks={"keys": [city_key.public_jwk()]},
                endpoint_url=peer,
                approve=True,
            )
            # The department asked is registered with an encryption key, so the question can
            # be sent at all; it never answers: the node on the way does.
            department = {
                "keys": [generate_signer().public_jwk(), EncryptionKey.generate().public_jwk()]
            }
            register_node(
                session, OTHER_MZ, jwks=department, endpoint_url="http://mz.test", approve=True
            )
        exchange.invalidate_registry()

        response = _ask(jinan_only, husband, provider=OTHER_MZ)

    assert response.status_code == 422, response.text
    assert response.json()["reason"] == "wrong_receiver"
    assert [kind for kind, *_ in _audit(db)] == ["request_sent"]  # no answer was taken


def test_exchange_nodes_list_says_which_departments_this_node_hosts(
    database_url: str, demo_registry: None
) -> None:
    env = {"CERTFREE_DATABASE_URL": database_url, "CERTFREE_HOSTED_DEPARTMENTS": "*"}
    listed = CliRunner().invoke(cli, ["exchange", "nodes", "list"], env=env)
    alone = CliRunner().invoke(
        cli, ["exchange", "nodes", "list"], env={"CERTFREE_DATABASE_URL": database_url}
    )

    assert listed.exit_code == 0, listed.output
    rows = {row["code"]: row for row in json.loads(listed.stdout)}
    assert rows[MZ]["hosted_by"] == PROVINCE
    assert rows[MZ]["endpoint_url"] is None
    assert len(rows) == 16 * 9 + 9  # the departments of every city and of the province
    assert json.loads(alone.stdout) == []
