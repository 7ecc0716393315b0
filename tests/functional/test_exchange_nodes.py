"""Four nodes, each served by uvicorn on loopback and talking over real sockets: a desk in 青岛
(370200) asks 济南市民政局 (370100-MZ) through the province and 济南 (370100), and back."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from certfree.exchange.protocol.registry import revoke_node
from certfree.exchange.protocol.signing import open_message, seal
from certfree.governance.audit.models import AuditEntry
from certfree.governance.egress import egress_report
from factories.grants import grant_for
from factories.population import married_couple, resident_id
from helpers.cascade import Nodes, running_nodes
from helpers.hops import hand_over

PROVINCE, CITY, OTHER_CITY, MZ = "370000", "370100", "370200", "370100-MZ"
LEVELS = {PROVINCE: "province", CITY: "city", OTHER_CITY: "city", MZ: "department"}
PARENTS = {CITY: PROVINCE, OTHER_CITY: PROVINCE, MZ: CITY}
SERVICE = "370000-000201-001"
EXEMPT = "《婚姻登记条例》第五条（示例，测试用）"


class Cluster(Nodes):
    """The running nodes, with the calls and looks these tests make."""

    def clerk(self, code: str) -> dict[str, str]:
        token = self.apps[code].state.node.tokens.issue("clerk", "staff-1", organisation=code)
        return {"Authorization": f"Bearer {token}"}

    def audit(self, code: str) -> list[tuple[str, str]]:
        with self.dbs[code].session() as session:
            rows = session.scalars(select(AuditEntry).order_by(AuditEntry.leaf_index))
            return [(row.kind, row.message_id) for row in rows]


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    with running_nodes(tmp_path, LEVELS, PARENTS) as nodes:
        with nodes.dbs[MZ].session() as session:
            married_couple(session)
        yield Cluster(nodes.apps, nodes.dbs, nodes.keys, nodes.servers)


def _couple(cluster: Cluster) -> tuple[str, str]:
    with cluster.dbs[MZ].session() as session:
        from certfree.population import Marriage  # noqa: PLC0415

        marriage = session.scalars(select(Marriage)).one()
        return marriage.party_a_id, marriage.party_b_id


def _grant(cluster: Cluster, consumer: str = OTHER_CITY) -> None:
    with cluster.dbs[MZ].session() as session:
        grant_for(
            session,
            "marital_status",
            consumer=consumer,
            provider=MZ,
            service_item=SERVICE,
            consent_exempt_basis=EXEMPT,
        )


def _ask(
    cluster: Cluster, id_number: str, consumer: str = OTHER_CITY, message_id: str | None = None
) -> Any:
    with cluster.client(consumer) as client:
        return client.post(
            "/api/v1/exchange/ask",
            headers=cluster.clerk(consumer),
            json={
                "question": "marital_status",
                "provider": MZ,
                "args": {"id_number": id_number},
                "service_item": SERVICE,
                "purpose": "结婚登记",
                "message_id": message_id,
            },
        )


def test_a_desk_in_one_city_asks_a_department_of_another_through_the_province(
    cluster: Cluster,
) -> None:
    _grant(cluster)
    husband, _ = _couple(cluster)

    response = _ask(cluster, husband)

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["provider"] == MZ
    assert answer["answer"]["result"] == {"status": "married"}
    assert answer["answer"]["legal_basis"] == EXEMPT
    # The answer is the provider's own signature: anyone with the registry can check it.
    signed = open_message(answer["answer_jws"], _registry(cluster))
    assert (signed.sender, signed.receiver, signed.type) == (MZ, OTHER_CITY, "question.answer")
    assert signed.reply_to == answer["message_id"]
    # What it said is encrypted to the desk's node: its key opens the body the desk was given.
    assert not signed.readable
    assert "married" not in answer["answer_jws"]
    desk_keys = cluster.keys[OTHER_CITY].encryption
    opened = open_message(answer["answer_jws"], _registry(cluster), decrypt=desk_keys.decrypt)
    assert opened.body == answer["answer"]
    # Both ends logged the exchange before releasing / on receipt; intermediates did not.
    message_id = answer["message_id"]
    assert cluster.audit(OTHER_CITY) == [
        ("request_sent", message_id),
        ("answer_received", message_id),
    ]
    assert cluster.audit(MZ) == [("request_received", message_id), ("answer_sent", message_id)]
    assert cluster.audit(PROVINCE) == []
    # The provider counted the sensitive personal information it let out (marital status,
    # 个人信息保护法 第28条) against the desk's node; no node on the way counted anything.
    with cluster.dbs[MZ].session() as session:
        lines = egress_report(session)["lines"]
    assert [(line["recipient"], line["field"], line["records"]) for line in lines] == [
        (OTHER_CITY, "marital_status", 1)
    ]
    for code in (PROVINCE, CITY, OTHER_CITY):
        with cluster.dbs[code].session() as session:
            assert egress_report(session)["lines"] == []


def _registry(cluster: Cluster) -> Any:
    from certfree.exchange.protocol.registry import registry_payload, snapshot_from_payload  # noqa: PLC0415

    with cluster.dbs[PROVINCE].session() as session:
        return snapshot_from_payload(registry_payload(session, PROVINCE))


def test_without_a_grant_the_provider_signs_a_refusal(cluster: Cluster) -> None:
    husband, _ = _couple(cluster)

    response = _ask(cluster, husband)

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/provider-forbidden"
    assert problem["provider"] == MZ
    assert problem["reason"] == "no_grant"
    refusal = open_message(problem["signed_refusal"], _registry(cluster))
    assert refusal.type == "refusal"
    assert refusal.sender == MZ


def test_a_person_the_provider_never_registered_is_no_record_not_unmarried(
    cluster: Cluster,
) -> None:
    _grant(cluster)
    stranger = resident_id(county="370102")  # well formed, in no register of the cluster

    response = _ask(cluster, stranger)

    assert response.status_code == 404
    problem = response.json()
    assert problem["type"] == "/problems/provider-not-found"
    assert problem["reason"] == "not_found"
    desk_keys = cluster.keys[OTHER_CITY].encryption  # the refusal is encrypted to the desk
    refusal = open_message(problem["signed_refusal"], _registry(cluster), decrypt=desk_keys.decrypt)
    assert (refusal.type, refusal.sender) == ("refusal", MZ)
    assert refusal.body["reason"] == "not_found"


def test_an_unsigned_body_is_refused_as_malformed(cluster: Cluster) -> None:
    with cluster.client(PROVINCE) as client:
        response = client.post("/api/v1/exchange/messages", json={"type": "question.ask"})
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/message-refused"
    assert response.json()["reason"] == "malformed"


def test_a_down_provider_gives_provider_unavailable_naming_it(cluster: Cluster) -> None:
    _grant(cluster)
    husband, _ = _couple(cluster)
    cluster.down(MZ)

    response = _ask(cluster, husband)

    assert response.status_code == 503
    assert response.json()["type"] == "/problems/provider-unavailable"
    assert response.json()["node"] == MZ


def test_a_revoked_consumer_is_refused_by_name(cluster: Cluster) -> None:
    _grant(cluster)
    husband, _ = _couple(cluster)
    with cluster.dbs[PROVINCE].session() as session:
        revoke_node(session, OTHER_CITY)
    cluster.apps[PROVINCE].state.node.exchange.invalidate_registry()

    response = _ask(cluster, husband)

    assert response.status_code == 422
    assert response.json()["reason"] == "revoked_sender"
    assert response.json()["node"] == PROVINCE


def test_a_retry_gets_the_same_signed_answer_and_a_reused_id_is_a_replay(
    cluster: Cluster,
) -> None:
    _grant(cluster, consumer=CITY)
    husband, _ = _couple(cluster)
    city = cluster.apps[CITY].state.node
    body = {
        "question": "marital_status",
        "args": {"id_number": husband},
        "service_item": SERVICE,
        "purpose": "结婚登记",
    }
    to_mz = cluster.keys[MZ].encryption.active("node").public_jwk  # what MZ registered
    message = seal(
        city.exchange.signer(),
        type="question.ask",
        sender=CITY,
        receiver=MZ,
        body=body,
        encrypt_to=to_mz,
    )
    signer = city.exchange.signer()
    with cluster.client(MZ) as client:
        first = hand_over(client, signer, sender=CITY, receiver=MZ, raw=message.raw)
        again = hand_over(client, signer, sender=CITY, receiver=MZ, raw=message.raw)
        other = seal(
            city.exchange.signer(),
            type="question.ask",
            sender=CITY,
            receiver=MZ,
            body={**body, "purpose": "另一件事"},
            message_id=message.id,
            encrypt_to=to_mz,
            now=dt.datetime.now(dt.UTC).timestamp(),
        )
        replay = hand_over(client, signer, sender=CITY, receiver=MZ, raw=other.raw)

    assert first.status_code == 200, first.text
    assert again.content == first.content
    assert replay.status_code == 422
    assert replay.json()["reason"] == "replayed"
    # The answer was released twice, and logged before each release.
    assert [kind for kind, _ in cluster.audit(MZ)] == [
        "request_received",
        "answer_sent",
        "answer_sent",
    ]


def test_the_province_publishes_the_registry_signed_with_its_pinned_key(cluster: Cluster) -> None:
    from certfree.exchange.protocol.registry import load_pinned_jwks, verify_registry  # noqa: PLC0415
    from certfree.exchange.protocol.registry_serial import verify_serial  # noqa: PLC0415

    with cluster.client(PROVINCE) as client:
        response = client.get("/api/v1/exchange/registry")
        serial = client.get("/api/v1/exchange/registry/serial")
    with cluster.client(CITY) as client:
        not_province = client.get("/api/v1/exchange/registry")
        no_serial = client.get("/api/v1/exchange/registry/serial")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/jose"
    settings = cluster.apps[CITY].state.node.settings
    pinned = load_pinned_jwks(settings.province_jwks)
    assert pinned is not None
    snapshot = verify_registry(response.text, pinned)
    assert snapshot.serial > 0
    assert {code: peer.status for code, peer in snapshot.peers.items()} == {
        PROVINCE: "active",
        CITY: "active",
        OTHER_CITY: "active",
        MZ: "active",
    }
    assert snapshot.peers[MZ].endpoint == cluster.url(MZ)
    assert not_province.status_code == 404
    # The serial alone, which every node polls, is the registry's and signed the same way.
    assert serial.headers["content-type"] == "application/jose"
    assert verify_serial(serial.text, pinned) == snapshot.serial
    assert no_serial.status_code == 404


def test_a_bureau_admin_registers_approves_and_revokes_a_node(cluster: Cluster) -> None:
    from certfree.crypto import generate_signer  # noqa: PLC0415

    key = generate_signer()
    jwks = {"keys": [key.public_jwk()]}
    node = cluster.apps[PROVINCE].state.node
    admin = {"Authorization": f"Bearer {node.tokens.issue('bureau_admin', 'admin-1')}"}
    with cluster.client(PROVINCE) as client:
        pending = client.post(
            "/api/v1/exchange/nodes/370300/registration",
            json={"jwks": jwks, "endpoint_url": "http://n370300.test"},
            headers=admin,
        )
        clerk = client.post(
            "/api/v1/exchange/nodes/370300/approve", headers=cluster.clerk(PROVINCE)
        )
        approved = client.post("/api/v1/exchange/nodes/370300/approve", headers=admin)
        revoked = client.post("/api/v1/exchange/nodes/370300/revoke", headers=admin)
        unknown = client.post("/api/v1/exchange/nodes/379900/approve", headers=admin)

    assert pending.status_code == 200, pending.text
    assert pending.json()["status"] == "pending"
    assert clerk.status_code == 403
    assert approved.json()["status"] == "active"
    assert revoked.json()["status"] == "revoked"
    assert unknown.status_code == 404


def test_a_desk_retrying_with_its_message_id_gets_the_answer_already_given(
    cluster: Cluster,
) -> None:
    _grant(cluster)
    husband, wife = _couple(cluster)
    message_id = "6f1c1a52-3f4e-4c1d-9a57-1f0e2b7d9c41"

    first = _ask(cluster, husband, message_id=message_id)
    retry = _ask(cluster, husband, message_id=message_id)
    other = _ask(cluster, wife, message_id=message_id)

    assert first.status_code == 200, first.text
    assert retry.json()["answer_jws"] == first.json()["answer_jws"]
    assert other.status_code == 422
    assert other.json()["reason"] == "replayed"
    assert other.json()["node"] == MZ


def test_a_development_node_without_pinned_keys_pins_the_provinces_on_first_fetch(
    cluster: Cluster,
) -> None:
    _grant(cluster)
    husband, _ = _couple(cluster)
    settings = cluster.apps[OTHER_CITY].state.node.settings
    settings.province_jwks = None  # enrolled without the key file: trust on first use
    # ... and not yet holding the registry (the node fetched it as it started).
    cluster.apps[OTHER_CITY].state.node.exchange.invalidate_registry()
    pin = settings.key_dir / "province.jwks.json"

    response = _ask(cluster, husband)

    assert response.status_code == 200, response.text
    province_keys = cluster.apps[PROVINCE].state.node.keys.jwks("node")
    assert json.loads(pin.read_text()) == province_keys
