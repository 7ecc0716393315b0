"""Consent a provider can verify, across four nodes served on loopback: the citizen
consents at the province, which signs the attestation; a desk in 青岛 (370200) carries it to
济南市民政局 (370100-MZ), which checks it against the province's key in its registry. A desk
that makes, alters or re-uses an attestation gets a signed refusal naming why, and no answer."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from certfree.auth import NODE_KEY_OWNER
from certfree.crypto import Signer
from certfree.exchange.protocol.signing import open_message, seal
from certfree.governance import attest_consent
from certfree.population import Marriage
from certfree.questions import get_question
from factories.grants import grant_for
from factories.population import married_couple
from helpers.cascade import Nodes, running_nodes
from helpers.consent_forgery import claims_of, resigned, tampered
from helpers.hops import hand_over

PROVINCE, CITY, DESK, MZ = "370000", "370100", "370200", "370100-MZ"
LEVELS = {PROVINCE: "province", CITY: "city", DESK: "city", MZ: "department"}
PARENTS = {CITY: PROVINCE, DESK: PROVINCE, MZ: CITY}
SERVICE = "370000-000201-001"


class Cluster(Nodes):
    def bearer(self, code: str, role: str, subject: str, org: str | None = None) -> dict[str, str]:
        token = self.apps[code].state.node.tokens.issue(role, subject, organisation=org)
        return {"Authorization": f"Bearer {token}"}

    def attest(
        self, person: str, *, consumer: str = DESK, questions: tuple[str, ...] = ("marital_status",)
    ) -> Any:
        """POST /consent/attestations at the province as ``person`` (its own sign-in token)."""
        with self.client(PROVINCE) as client:
            return client.post(
                "/api/v1/consent/attestations",
                headers=self.bearer(PROVINCE, "applicant", person),
                json={
                    "consumer": consumer,
                    "service_item": SERVICE,
                    "questions": list(questions),
                    "purpose": "内地居民结婚登记",
                },
            )

    def ask(self, person: str, consents: list[str] | None) -> Any:
        with self.client(DESK) as client:
            return client.post(
                "/api/v1/exchange/ask",
                headers=self.bearer(DESK, "clerk", "staff-1", org=DESK),
                json={
                    "question": "marital_status",
                    "provider": MZ,
                    "args": {"id_number": person},
                    "service_item": SERVICE,
                    "purpose": "内地居民结婚登记",
                    "consents": consents,
                },
            )

    def answers_sent(self) -> list[dict[str, Any]]:
        """The bodies of every reply MZ released, from its audit log."""
        from certfree.governance.audit.models import AuditEntry  # noqa: PLC0415

        with self.dbs[MZ].session() as session:
            rows = session.scalars(select(AuditEntry).where(AuditEntry.kind == "answer_sent"))
            return [json.loads(row.record)["outcome"] for row in rows]


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    with running_nodes(tmp_path, LEVELS, PARENTS) as nodes:
        with nodes.dbs[MZ].session() as session:
            married_couple(session)
            grant_for(session, "marital_status", consumer=DESK, provider=MZ, service_item=SERVICE)
        yield Cluster(nodes.apps, nodes.dbs, nodes.keys, nodes.servers)


def _couple(cluster: Cluster) -> tuple[str, str]:
    with cluster.dbs[MZ].session() as session:
        marriage = session.scalars(select(Marriage)).one()
        return marriage.party_a_id, marriage.party_b_id


def test_the_province_attests_a_consent_and_the_provider_answers_under_it(
    cluster: Cluster,
) -> None:
    husband, _ = _couple(cluster)

    attested = cluster.attest(husband)

    assert attested.status_code == 201, attested.text
    view = attested.json()
    claims = view["claims"]
    assert claims == claims_of(view["attestation"])
    assert (claims["iss"], claims["sub"], claims["consumer"]) == (PROVINCE, husband, DESK)
    assert claims["questions"] == ["marital_status"]
    assert claims["data_items"] == ["marital_status"]
    assert claims["exp"] - claims["iat"] == 30 * 86400
    assert claims["consent_digest"].startswith("sm3:")
    assert "民政部门核验「您的婚姻状况」" in view["text"]
    # The consent is on the person's list at the province, under the attestation's id.
    with cluster.client(PROVINCE) as client:
        mine = client.get(
            "/api/v1/me/consents", headers=cluster.bearer(PROVINCE, "applicant", husband)
        ).json()
    assert [(c["id"], c["consumer"], c["state"]) for c in mine] == [(claims["jti"], DESK, "valid")]

    answered = cluster.ask(husband, [view["attestation"]])

    assert answered.status_code == 200, answered.text
    answer = answered.json()["answer"]
    assert answer["result"] == {"status": "married"}
    assert answer["consent_ids"] == [claims["jti"]]


def test_only_the_province_attests_and_only_to_the_person_themself(cluster: Cluster) -> None:
    husband, _ = _couple(cluster)
    body = {
        "consumer": DESK,
        "service_item": SERVICE,
        "questions": ["marital_status"],
        "purpose": "内地居民结婚登记",
    }
    with cluster.client(DESK) as client:
        elsewhere = client.post(
            "/api/v1/consent/attestations",
            headers=cluster.bearer(DESK, "applicant", husband),
            json=body,
        )
    assert elsewhere.status_code == 409
    assert elsewhere.json()["type"] == "/problems/not-consent-issuer"
    assert "370000" in elsewhere.json()["detail"]
    # A token the desk mints for the person is not the person signing in at the province,
    # not even one minted for the province alone.
    desk_tokens = cluster.apps[DESK].state.node.tokens
    with cluster.client(PROVINCE) as client:
        for token in (
            desk_tokens.issue("applicant", husband),
            desk_tokens.issue("applicant", husband, audience=PROVINCE),
        ):
            posing = client.post(
                "/api/v1/consent/attestations",
                headers={"Authorization": f"Bearer {token}"},
                json=body,
            )
            assert posing.status_code == 401, posing.text
        clerk = client.post(
            "/api/v1/consent/attestations",
            headers=cluster.bearer(PROVINCE, "clerk", "staff-1", org=PROVINCE),
            json=body,
        )
        assert clerk.status_code == 403
        unknown = client.post(
            "/api/v1/consent/attestations",
            headers=cluster.bearer(PROVINCE, "applicant", husband),
            json=body | {"consumer": "379900"},
        )
        assert unknown.status_code == 422
        assert unknown.json()["field"] == "consumer"


def _desk_signer(cluster: Cluster) -> Signer:
    return cluster.keys[DESK].signer(NODE_KEY_OWNER)


def _expired(cluster: Cluster, person: str) -> str:
    """A genuine attestation of the province whose life ended ten days ago."""
    with cluster.dbs[PROVINCE].session() as session:
        return attest_consent(
            session,
            cluster.keys[PROVINCE].signer(NODE_KEY_OWNER),
            issuer=PROVINCE,
            subject_id=person,
            consumer=DESK,
            service_item=SERVICE,
            questions=[get_question("marital_status")],
            purpose="内地居民结婚登记",
            text="shown",
            expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=10),
            now=dt.datetime.now(dt.UTC) - dt.timedelta(days=40),
        ).token


# What the desk attaches, made from the cluster, the genuine attestation and the person.
Make = Callable[[Cluster, str, str], str]
FABRICATED: dict[str, tuple[str, Make | None]] = {
    # the desk signs an attestation itself, naming the province as issuer
    "signed_by_the_desk": ("consent_forged", lambda c, g, p: resigned(g, _desk_signer(c))),
    # a genuine one, widened or lengthened in place
    "another_question_added": (
        "consent_forged",
        lambda c, g, p: tampered(g, questions=["marital_status", "same_household"]),
    ),
    "longer_life": (
        "consent_forged",
        lambda c, g, p: tampered(g, exp=claims_of(g)["exp"] + 365 * 86400),
    ),
    # genuine, but given to another consumer or for another question
    "given_to_another_node": (
        "consent_mismatch",
        lambda c, g, p: c.attest(p, consumer=CITY).json()["attestation"],
    ),
    "for_another_question": (
        "consent_mismatch",
        lambda c, g, p: c.attest(p, questions=("same_household",)).json()["attestation"],
    ),
    "expired": ("consent_expired", lambda c, g, p: _expired(c, p)),
    "none": ("no_consent", None),
}


@pytest.mark.parametrize("case", sorted(FABRICATED))
def test_a_desk_that_fabricates_a_consent_gets_a_signed_refusal_and_no_answer(
    cluster: Cluster, case: str
) -> None:
    reason, make = FABRICATED[case]
    husband, _ = _couple(cluster)
    genuine = cluster.attest(husband).json()["attestation"]
    consents = [make(cluster, genuine, husband)] if make else None

    refused = cluster.ask(husband, consents)

    assert refused.status_code == 403, refused.text
    problem = refused.json()
    assert problem["reason"] == reason
    assert problem["provider"] == MZ
    signed = open_message(problem["signed_refusal"], _registry(cluster), decrypt=_desk_key(cluster))
    assert (signed.sender, signed.type) == (MZ, "refusal")
    assert "result" not in signed.body
    assert [outcome["type"] for outcome in cluster.answers_sent()] == ["refusal"]
    # The genuine one, carried as given, is answered.
    assert cluster.ask(husband, [genuine]).json()["answer"]["result"] == {"status": "married"}


def test_a_node_that_sends_another_persons_consent_is_refused(cluster: Cluster) -> None:
    """The desk's own code never attaches another person's attestation; a dishonest node sends
    its own message with the wife's genuine attestation for a question about the husband."""
    husband, wife = _couple(cluster)
    wifes = cluster.attest(wife).json()["attestation"]
    desk = cluster.apps[DESK].state.node
    message = seal(
        desk.exchange.signer(),
        type="question.ask",
        sender=DESK,
        receiver=MZ,
        body={
            "question": "marital_status",
            "args": {"id_number": husband},
            "service_item": SERVICE,
            "purpose": "内地居民结婚登记",
            "consent": [wifes],
        },
        encrypt_to=_enc_key(cluster, MZ),
    )
    with cluster.client(PROVINCE) as client:  # the desk's next node on the path to MZ
        response = hand_over(
            client, desk.exchange.signer(), sender=DESK, receiver=PROVINCE, raw=message.raw
        )

    assert response.status_code == 200, response.text
    reply = open_message(response.text, _registry(cluster), decrypt=_desk_key(cluster))
    assert reply.type == "refusal"
    assert reply.body["reason"] == "consent_mismatch"
    assert "数据主体" in reply.body["detail"]
    assert husband not in reply.body["detail"]  # refusals show only a masked number


def test_a_withdrawn_consent_is_refused_from_the_next_registry(cluster: Cluster) -> None:
    husband, _ = _couple(cluster)
    attestation = cluster.attest(husband).json()["attestation"]
    assert cluster.ask(husband, [attestation]).status_code == 200
    with cluster.client(PROVINCE) as client:
        withdrawn = client.post(
            f"/api/v1/me/consents/{claims_of(attestation)['jti']}/revoke",
            headers=cluster.bearer(PROVINCE, "applicant", husband),
        )
        assert withdrawn.status_code == 200
        registry = client.get("/api/v1/exchange/registry").text
    assert claims_of(registry)["withdrawn_consents"] == [claims_of(attestation)["jti"]]
    # The provider's registry cache lives for registry_ttl_seconds; let it pass.
    cluster.apps[MZ].state.node.exchange.invalidate_registry()

    refused = cluster.ask(husband, [attestation])

    assert refused.status_code == 403
    assert refused.json()["reason"] == "consent_revoked"


def _enc_key(cluster: Cluster, code: str) -> dict[str, str]:
    """The encryption key node ``code`` registered: what a message to it is encrypted to."""
    return cluster.keys[code].encryption.active(NODE_KEY_OWNER).public_jwk


def _desk_key(cluster: Cluster) -> Any:
    """What opens a reply to the desk: its node's encryption keys."""
    return cluster.keys[DESK].encryption.decrypt


def _registry(cluster: Cluster) -> Any:
    from certfree.exchange.protocol.registry import registry_payload, snapshot_from_payload  # noqa: PLC0415

    with cluster.dbs[PROVINCE].session() as session:
        return snapshot_from_payload(registry_payload(session, PROVINCE))


def test_a_consent_given_for_one_application_is_refused_for_another(cluster: Cluster) -> None:
    """The desk names its application in the ask; the provider refuses an attestation the
    person gave for another application of the same service item, and answers under one
    given for this application."""
    husband, _ = _couple(cluster)
    with cluster.client(PROVINCE) as client:
        attested = client.post(
            "/api/v1/consent/attestations",
            headers=cluster.bearer(PROVINCE, "applicant", husband),
            json={
                "consumer": DESK,
                "service_item": SERVICE,
                "questions": ["marital_status"],
                "purpose": "内地居民结婚登记",
                "application": "A-ONE",
            },
        )
    assert attested.status_code == 201, attested.text
    token = attested.json()["attestation"]
    desk = cluster.apps[DESK].state.node

    def ask(application: str) -> Any:
        message = seal(
            desk.exchange.signer(),
            type="question.ask",
            sender=DESK,
            receiver=MZ,
            body={
                "question": "marital_status",
                "args": {"id_number": husband},
                "service_item": SERVICE,
                "purpose": "内地居民结婚登记",
                "consent": [token],
                "application": application,
            },
            encrypt_to=_enc_key(cluster, MZ),
        )
        with cluster.client(PROVINCE) as client:  # the desk's next node on the path to MZ
            response = hand_over(
                client, desk.exchange.signer(), sender=DESK, receiver=PROVINCE, raw=message.raw
            )
        assert response.status_code == 200, response.text
        return open_message(response.text, _registry(cluster), decrypt=_desk_key(cluster))

    other = ask("A-TWO")
    assert other.type == "refusal"
    assert other.body["reason"] == "consent_mismatch"
    assert "A-ONE" in other.body["detail"]
    same = ask("A-ONE")
    assert same.type != "refusal", same.body
    assert same.body["result"] == {"status": "married"}
