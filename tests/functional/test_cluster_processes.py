"""The cascade as real processes (``certfree cluster up``): a question crosses the province
and comes back signed, under the consent attestation the province signed for the person (one
the desk makes itself is refused); kill -9 of a provider or of the province during load gives
callers a quick, named "provider unavailable" and loses no audit entry of an answer that was
released."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from certfree import cli
from certfree.auth import NODE_KEY_OWNER
from certfree.crypto import KeyStore, PeerCertificateRefused, TlsFiles, check_peer, client_context
from certfree.demo import cluster_desk as desk
from certfree.demo.cluster import cluster_up
from certfree.demo.cluster_processes import alive, cluster_down, cluster_status
from certfree.exchange.protocol.hops import HopItem, decode_results, seal_envelope
from certfree.exchange.protocol.lanes import MESSAGES_PATH
from certfree.exchange.protocol.registry import RegistrySnapshot, verify_registry
from certfree.exchange.protocol.signing import seal
from certfree.settings import DEV_PASSPHRASE
from helpers.consent_forgery import claims_of, resigned, tampered

pytestmark = pytest.mark.slow

MARRIAGE = "371A0101000000-370100000000-000-113701000100000206-1-00"  # 内地居民结婚登记
DESK, PROVINCE, CITY, MZ = "370200", "370000", "370100", "370100-MZ"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    directory = tmp_path_factory.mktemp("cluster")
    manifest = cluster_up(directory, cities=2, departments=["MZ"], citizens=1000, seed=7)
    try:
        yield {"dir": directory, **manifest}
    finally:
        cluster_down(directory, grace=3)


def _db(cluster: dict[str, Any], code: str) -> sqlite3.Connection:
    return sqlite3.connect(Path(cluster["nodes"][code]["dir"]) / "certfree.db")


def _married(cluster: dict[str, Any], count: int) -> list[str]:
    with _db(cluster, MZ) as connection:
        rows = connection.execute(
            "SELECT party_a_id FROM marriages WHERE status = 'married' ORDER BY 1 LIMIT ?",
            (count,),
        ).fetchall()
    return [row[0] for row in rows]


def _consents(cluster: dict[str, Any], id_number: str, consumer: str = DESK) -> list[str]:
    """The person's consent attestation, signed by the province (its HTTP route, as them)."""
    attested = desk.consent_attestations(
        cluster,
        consumer,
        question="marital_status",
        args={"id_number": id_number},
        service_item=MARRIAGE,
        purpose="内地居民结婚登记",
    )
    return list(attested.values())


def _ask(
    cluster: dict[str, Any],
    id_number: str,
    consumer: str = DESK,
    consents: list[str] | None = None,
) -> httpx.Response:
    node = cluster["nodes"][consumer]
    payload = {
        "question": "marital_status",
        "provider": MZ,
        "args": {"id_number": id_number},
        "service_item": MARRIAGE,
        "purpose": "内地居民结婚登记",
        "consents": _consents(cluster, id_number, consumer) if consents is None else consents,
    }
    return desk.ask_node(node["url"], _token(node, consumer), payload)


_TOKENS: dict[str, str] = {}


def _token(node: dict[str, Any], consumer: str) -> str:
    # Opening the node key costs a scrypt; one token per consumer serves the whole module.
    if consumer not in _TOKENS:
        _TOKENS[consumer] = desk.clerk_token(node, consumer)
    return _TOKENS[consumer]


def _audited(cluster: dict[str, Any], code: str, kind: str) -> set[str]:
    with _db(cluster, code) as connection:
        rows = connection.execute(
            "SELECT message_id FROM audit_entries WHERE kind = ?", (kind,)
        ).fetchall()
    return {row[0] for row in rows}


def _kill(cluster: dict[str, Any], code: str) -> None:
    pid = int(cluster["nodes"][code]["pid"])
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def _registry(cluster: dict[str, Any]) -> RegistrySnapshot:
    """The registry the province publishes now, checked with its pinned keys."""
    province = cluster["nodes"][PROVINCE]["url"]
    published = httpx.get(f"{province}/api/v1/exchange/registry", timeout=10)
    pinned = json.loads((Path(cluster["dir"]) / "province.jwks.json").read_text())
    return verify_registry(published.text, pinned)


def _desk_tls(cluster: dict[str, Any]) -> TlsFiles:
    env = json.loads((Path(cluster["nodes"][DESK]["dir"]) / "env.json").read_text())
    return TlsFiles(
        Path(env["CERTFREE_TLS_CERT"]),
        Path(env["CERTFREE_TLS_KEY"]),
        Path(env["CERTFREE_TLS_CA"]),
        DEV_PASSPHRASE,
    )


def test_every_node_is_up_and_a_city_desk_asks_another_citys_department(
    cluster: dict[str, Any],
) -> None:
    assert {row["code"]: row["health"] for row in cluster_status(cluster["dir"])} == dict.fromkeys(
        cluster["nodes"], "ok"
    )
    response = _ask(cluster, _married(cluster, 1)[0])
    assert response.status_code == 200, response.text
    assert response.json()["answer"]["result"] == {"status": "married"}
    assert response.json()["provider"] == MZ


def test_every_node_takes_hops_over_mutual_tls_with_the_key_the_registry_binds(
    cluster: dict[str, Any],
) -> None:
    nodes = cluster["nodes"]
    registry = _registry(cluster)
    with httpx.Client(verify=client_context(_desk_tls(cluster)), timeout=10) as client:
        for code, node in nodes.items():
            peer = registry.peers[code]
            assert peer.tls == node["tls_fingerprint"]
            # Its registered endpoint is its exchange listener: every hop of every question
            # these tests ask crosses mutual TLS 1.3.
            assert peer.endpoint == node["exchange_url"]
            assert node["exchange_url"].startswith("https://127.0.0.1:")
            # The desk reaches every node's exchange listener with its own certificate, and
            # the node shows the key the registry binds to it, not another node's.
            answer = client.get(f"{node['exchange_url']}/healthz")
            assert answer.status_code == 200
            stream = answer.extensions["network_stream"]
            check_peer(stream, peer.tls, code)
            other = registry.peers[DESK if code != DESK else PROVINCE]
            with pytest.raises(PeerCertificateRefused):
                check_peer(stream, other.tls, code)
            # A node message in plain HTTP to the exchange port gets no answer.
            plain = node["exchange_url"].replace("https://", "http://")
            with pytest.raises(httpx.TransportError):
                httpx.post(f"{plain}{MESSAGES_PATH}", content=b"{}", timeout=10)
            # Nor does the public port take one: it names the exchange port instead.
            public = httpx.post(f"{node['url']}{MESSAGES_PATH}", content=b"{}", timeout=10)
            assert public.status_code == 421
            assert public.json()["type"].endswith("/exchange-port-only")
            assert node["exchange_url"].rsplit(":", 1)[1] in public.json()["detail"]


def test_a_consent_the_desk_signs_itself_is_refused_by_the_provider(
    cluster: dict[str, Any],
) -> None:
    person = _married(cluster, 7)[6]
    genuine = _consents(cluster, person)[0]
    desk_node = cluster["nodes"][DESK]
    own_key = KeyStore(Path(desk_node["dir"]) / "keys", DEV_PASSPHRASE).signer(NODE_KEY_OWNER)

    forged = _ask(cluster, person, consents=[resigned(genuine, own_key)])
    widened = _ask(cluster, person, consents=[tampered(genuine, exp=claims_of(genuine)["exp"] * 2)])
    answered = _ask(cluster, person, consents=[genuine])

    for refused in (forged, widened):
        assert refused.status_code == 403, refused.text
        assert refused.json()["reason"] == "consent_forged"
        assert refused.json()["provider"] == MZ
    assert answered.status_code == 200, answered.text
    assert answered.json()["answer"]["consent_ids"] == [claims_of(genuine)["jti"]]


def test_certfree_ask_prints_the_signed_answer_and_exits_by_outcome(
    cluster: dict[str, Any],
) -> None:
    husband, wife = _married(cluster, 3)[1:3]
    base = [
        "ask",
        "marital_status",
        "--from",
        MZ,
        "--purpose",
        MARRIAGE,
        "--dir",
        str(cluster["dir"]),
    ]

    answered = CliRunner().invoke(cli.app, [*base, f"id_number={husband}", "--json"])
    refused = CliRunner().invoke(cli.app, [*base, f"id_number={wife}", "--no-consent", "--json"])
    usage = CliRunner().invoke(cli.app, [*base[:3], "370900-MZ", *base[4:], f"id_number={wife}"])

    assert answered.exit_code == 0, answered.output
    body = json.loads(answered.stdout)
    assert body["consumer"] == DESK  # a city outside the provider's: across the province
    assert body["answer"]["result"] == {"status": "married"}
    assert body["answer_jws"].count(".") == 2
    assert body["consent_recorded_for"] == [husband]
    assert refused.exit_code == 1
    assert json.loads(refused.stdout)["reason"] == "no_consent"
    assert usage.exit_code == 2


def test_a_citizen_sees_every_nodes_accesses_from_their_home_node(
    cluster: dict[str, Any],
) -> None:
    person = _married(cluster, 5)[4]
    asked = _ask(cluster, person)
    assert asked.status_code == 200, asked.text
    home = cluster["nodes"][DESK]["url"]
    signed_in = httpx.post(f"{home}/dev/sign-in", json={"id_number": person}, timeout=30)
    headers = {"Authorization": f"Bearer {signed_in.json()['token']}"}
    frozen = int(cluster["nodes"][CITY]["pid"])
    os.kill(frozen, signal.SIGSTOP)  # a node that hangs is reported, not waited on
    try:
        started = time.monotonic()
        response = httpx.get(f"{home}/api/v1/me/accesses/cascade", headers=headers, timeout=30)
        took = time.monotonic() - started
    finally:
        os.kill(frozen, signal.SIGCONT)

    assert response.status_code == 200, response.text
    parts = {part["node"]: part for part in response.json()["nodes"]}
    assert parts.keys() == cluster["nodes"].keys()
    assert parts[CITY]["status"] == "unreachable"
    assert took < 10.0  # one read timeout (5 s), not a hang
    kinds = {code: [a["kind"] for a in part["accesses"]] for code, part in parts.items()}
    assert kinds[DESK] == ["request_sent", "answer_received"]
    assert kinds[MZ] == ["request_received", "answer_sent"]
    assert parts[MZ]["status"] == "ok"  # its signed head and proofs checked at the desk
    assert parts[MZ]["accesses"][1]["answer"]["body"]["result"] == {"status": "married"}
    assert parts[MZ]["accesses"][1]["consumer"] == DESK
    others = parts.keys() - {DESK, MZ, CITY}
    assert others
    assert all(parts[code]["status"] == "ok" for code in others)
    assert all(kinds[code] == [] for code in others)


def _load(
    cluster: dict[str, Any], people: list[str], kill: str
) -> list[tuple[float, httpx.Response]]:
    """Ask for ``people`` from 6 threads; kill -9 node ``kill`` a third of the way through."""

    def one(id_number: str) -> tuple[float, httpx.Response]:
        consents = _consents(cluster, id_number)
        started = time.monotonic()
        response = _ask(cluster, id_number, consents=consents)
        return time.monotonic() - started, response

    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(one, person) for person in people]
        while sum(f.done() for f in futures) < len(people) // 3:
            time.sleep(0.01)
        _kill(cluster, kill)
        return [future.result() for future in futures]


def _check_no_released_answer_unlogged(
    cluster: dict[str, Any], results: list[tuple[float, httpx.Response]], down: str
) -> None:
    answered = [r.json()["message_id"] for _, r in results if r.status_code == 200]
    failed = [(t, r) for t, r in results if r.status_code != 200]
    assert answered, "some questions were answered before the kill"
    assert failed, "some questions met the dead node"
    for seconds, response in failed:
        problem = response.json()
        assert response.status_code == 503, problem
        assert problem["type"] == "/problems/provider-unavailable"
        assert problem["node"] == down
        assert seconds < 6.0  # bounded by the read timeout, never a hang
    # Acknowledged = released to the caller: each is in both logs, the dead node's included.
    assert set(answered) <= _audited(cluster, MZ, "answer_sent")
    assert set(answered) <= _audited(cluster, DESK, "answer_received")
    assert set(answered) <= _audited(cluster, DESK, "request_sent")
    # Nothing half-done at the provider: a reply is stored exactly when it is logged.
    with _db(cluster, MZ) as connection:
        stored = {row[0] for row in connection.execute("SELECT message_id FROM exchange_replies")}
    assert (
        stored == _audited(cluster, MZ, "answer_sent") == _audited(cluster, MZ, "request_received")
    )


def test_a_message_that_skips_the_province_and_the_city_is_refused_by_the_provider(
    cluster: dict[str, Any],
) -> None:
    person = _married(cluster, 8)[7]
    nodes = cluster["nodes"]
    signer = KeyStore(Path(nodes[DESK]["dir"]) / "keys", DEV_PASSPHRASE).signer(NODE_KEY_OWNER)
    body = {
        "question": "marital_status",
        "args": {"id_number": person},
        "service_item": MARRIAGE,
        "purpose": "内地居民结婚登记",
        "consent": _consents(cluster, person),
    }
    to_mz = _registry(cluster).peers[MZ].encryption
    message = seal(
        signer, type="question.ask", sender=DESK, receiver=MZ, body=body, encrypt_to=to_mz
    )
    now = time.time()
    # The desk hands its message straight to the department, over mutual TLS, in an envelope
    # it signs itself: everything is genuine except the path.
    envelope = seal_envelope(
        signer, sender=DESK, receiver=MZ, items=[HopItem(message.raw, now + 10)], now=now
    )
    with httpx.Client(verify=client_context(_desk_tls(cluster)), timeout=10) as client:
        response = client.post(
            nodes[MZ]["exchange_url"] + MESSAGES_PATH,
            content=envelope,
            headers={"content-type": "application/jose"},
        )

    assert response.status_code == 200, response.text
    (result,) = decode_results(response.content, 1)
    assert result.status == 422
    assert result.json()["reason"] == "wrong_hop"
    assert result.json()["node"] == MZ
    assert "370100" in result.json()["detail"]  # the node it must come from
    assert message.id not in _audited(cluster, MZ, "request_received")


def test_a_revoked_node_is_known_as_revoked_at_every_node_within_seconds(
    cluster: dict[str, Any],
) -> None:
    nodes = cluster["nodes"]
    gone = "370200-MZ"  # a department no other test of this module asks
    province = nodes[PROVINCE]
    revoked = httpx.post(
        f"{province['url']}/api/v1/exchange/nodes/{gone}/revoke",
        headers={"Authorization": f"Bearer {desk.bureau_token(province, PROVINCE)}"},
        timeout=10,
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked"
    registry = _registry(cluster)
    assert registry.peers[gone].status == "revoked"

    # Every node's registry lives 60 s; the signed serial they poll every 2 s brings the
    # revocation sooner. Wait a bounded while for all of them, then say who lags.
    lagging = set(nodes) - {PROVINCE}
    deadline = time.monotonic() + 20
    while lagging and time.monotonic() < deadline:
        for code in sorted(lagging):
            used = httpx.get(f"{nodes[code]['url']}/api/v1/node", timeout=10).json()
            if used["registry_serial"] == registry.serial:
                lagging.discard(code)
        time.sleep(0.2)
    assert not lagging, f"still on an older registry: {sorted(lagging)}"


def test_kill_9_of_the_provider_during_load(cluster: dict[str, Any]) -> None:
    results = _load(cluster, _married(cluster, 60)[1:], kill=MZ)
    _check_no_released_answer_unlogged(cluster, results, MZ)
    # Once it is down, callers learn it at once (connection refused, bounded retries).
    person = _married(cluster, 1)[0]
    consents = _consents(cluster, person)
    started = time.monotonic()
    response = _ask(cluster, person, consents=consents)
    assert response.status_code == 503
    assert response.json()["node"] == MZ
    assert time.monotonic() - started < 3.0


def test_kill_9_of_the_province_makes_it_the_named_unavailable_node(
    cluster: dict[str, Any],
) -> None:
    person = _married(cluster, 1)[0]
    consents = _consents(cluster, person)  # given before the province went down
    _kill(cluster, PROVINCE)
    started = time.monotonic()
    response = _ask(cluster, person, consents=consents)
    assert response.status_code == 503
    assert response.json()["type"] == "/problems/provider-unavailable"
    assert response.json()["node"] == PROVINCE
    assert time.monotonic() - started < 3.0
