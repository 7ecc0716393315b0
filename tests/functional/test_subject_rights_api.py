"""A data subject's rights over HTTP, between nodes: the export of their data, a correction
asked at 济南 (370100) and answered by its public security bureau (370100-GA), objections.
Three apps served by uvicorn on loopback, each with its own database and keys
(the real separate processes are in ``test_subject_rights_processes``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import inspect, select

from certfree import certs
from certfree.demo import register_demo_nodes
from certfree.governance.audit.models import AuditEntry
from certfree.population import Household, Person
from factories.certificates import holder_key
from factories.population import married_couple
from helpers.cascade import Nodes, running_nodes

PROVINCE, CITY, GA, MZ = "370000", "370100", "370100-GA", "370100-MZ"
LEVELS = {PROVINCE: "province", CITY: "city", GA: "department", MZ: "department"}
PARENTS = {CITY: PROVINCE, GA: CITY, MZ: CITY}
ID_CARD = "11100000000013047R001"


class Cluster(Nodes):
    def call(
        self,
        code: str,
        method: str,
        path: str,
        *,
        role: str = "applicant",
        subject: str = "staff-1",
        organisation: str | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        tokens = self.apps[code].state.node.tokens
        token = tokens.issue(role, subject, organisation=organisation)
        with self.client(code) as client:
            return client.request(
                method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs
            )

    def kinds(self, code: str, subject_in: str = "") -> list[str]:
        with self.dbs[code].session() as session:
            rows = session.scalars(select(AuditEntry).order_by(AuditEntry.leaf_index))
            return [row.kind for row in rows if subject_in in row.record or not subject_in]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with running_nodes(tmp_path_factory.mktemp("rights"), LEVELS, PARENTS) as nodes:
        for code in (CITY, GA, MZ):
            with nodes.dbs[code].session() as session:
                register_demo_nodes(session)
        yield Cluster(nodes.apps, nodes.dbs, nodes.keys, nodes.servers)


def _couple(cluster: Cluster) -> tuple[str, str]:
    """A married couple in the registers of 济南's public security and of 济南 itself (the
    same rows, as the demo copies one world to every node); the husband holds an ID card
    issued at 济南."""
    with cluster.dbs[GA].session() as session:
        husband, wife, marriage = married_couple(session)
        home = session.get(Household, husband.household_no)
        rows: list[tuple[type[Any], dict[str, Any]]] = [
            (type(row), {a.key: getattr(row, a.key) for a in inspect(type(row)).column_attrs})
            for row in (home, husband, wife, marriage)
        ]
        ids = (husband.id_number, wife.id_number)
    with cluster.dbs[CITY].session() as session:
        for table, values in rows:
            session.add(table(**values))
    with cluster.dbs[CITY].session() as session:
        person = session.get(Person, ids[0])
        assert person is not None
        node = cluster.apps[CITY].state.node
        certs.issue_certificate(
            session,
            node.keys,
            type_code=ID_CARD,
            holder_id=ids[0],
            face_data={
                **certs.cert_type(ID_CARD).example,
                "name": person.name,
                "id_number": ids[0],
                "birth_date": person.birth_date.isoformat(),
                "sex": "男",
            },
            holder_jwk=holder_key(),
            issuer_uscc=certs.find_issuer(session, "370100-GA").uscc,
        )
    return ids


def _id_card(cluster: Cluster, holder: str) -> dict[str, Any]:
    answer = cluster.call(CITY, "GET", "/api/v1/me/data", subject=holder)
    assert answer.status_code == 200, answer.text
    listed = answer.json()
    (card,) = [c for c in listed["sections"]["certificates"] if c["status"] == "issued"]
    return dict(card)


def test_a_correction_goes_to_the_department_and_its_acceptance_reissues_the_id_card(
    cluster: Cluster,
) -> None:
    husband, wife = _couple(cluster)
    card = _id_card(cluster, husband)
    asked = cluster.call(
        CITY,
        "POST",
        "/api/v1/me/corrections",
        subject=husband,
        json={
            "certificate_id": card["identifier"],
            "field": "name",
            "current_value": "张伟",
            "requested_value": "张炜",
            "reason": "户籍登记时误录，出生医学证明为“炜”",
            "evidence": "出生医学证明编号 Y370123456",
        },
    )
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert (request["department"], request["status"], request["delivery"]) == (
        GA,
        "pending",
        "delivered",
    )
    # Another person cannot ask about a certificate that is not theirs.
    not_hers = cluster.call(
        CITY, "POST", "/api/v1/me/corrections", subject=wife,
        json={"certificate_id": card["identifier"], "field": "name", "current_value": "张伟",
              "requested_value": "李静", "reason": "x"},
    )  # fmt: skip
    assert not_hers.status_code == 404
    assert not_hers.json()["field"] == "certificate_id"
    requested = dt.datetime.fromisoformat(request["requested_at"])
    deadline = dt.datetime.fromisoformat(request["deadline"])
    assert dt.timedelta(days=19) <= deadline - requested <= dt.timedelta(days=30)

    # Only the public security bureau's admin sees it; civil affairs does not.
    inbox = cluster.call(GA, "GET", "/api/v1/dept/corrections", role="department_admin",
                         organisation=GA).json()  # fmt: skip
    assert [(r["request_id"], r["requested_value"]) for r in inbox] == [
        (request["request_id"], "张炜")
    ]
    stranger = cluster.call(
        GA, "POST", f"/api/v1/dept/corrections/{request['request_id']}/answer",
        role="department_admin", organisation=MZ, json={"decision": "accept"},
    )  # fmt: skip
    assert stranger.status_code == 404, stranger.text
    assert cluster.call(GA, "GET", "/api/v1/dept/corrections", role="department_admin",
                        organisation=MZ).json() == []  # fmt: skip

    answered = cluster.call(
        GA, "POST", f"/api/v1/dept/corrections/{request['request_id']}/answer",
        role="department_admin", organisation=GA, subject="ga-admin",
        json={"decision": "accept", "reason": "经核出生医学证明，予以更正"},
    )  # fmt: skip
    assert answered.status_code == 200, answered.text
    assert (answered.json()["status"], answered.json()["delivery"]) == ("accepted", "delivered")
    with cluster.dbs[GA].session() as session:
        assert session.get(Person, husband).name == "张炜"  # type: ignore[union-attr]

    mine = cluster.call(CITY, "GET", f"/api/v1/me/corrections/{request['request_id']}",
                        subject=husband).json()  # fmt: skip
    assert mine["status"] == "accepted"
    assert mine["answer_reason"] == "经核出生医学证明，予以更正"
    assert mine["previous_value"] == "张伟"
    (reissued,) = mine["reissued"]
    assert reissued["superseded"] == card["identifier"]
    assert reissued["credential"].count("~") >= 2  # an SD-JWT with its disclosures
    with cluster.dbs[CITY].session() as session:
        old = certs.get_certificate(session, card["identifier"])
        new = certs.get_certificate(session, reissued["identifier"])
        assert (old.status, old.superseded_by) == (
            certs.CertStatus.REVOKED,
            reissued["identifier"],
        )
        assert (new.face_data["name"], new.version) == ("张炜", old.version + 1)

    # Each step is in the audit logs, naming the citizen.
    assert {"subject_request", "subject_answer"} <= set(cluster.kinds(CITY))
    assert {"subject_change", "subject_answer"} <= set(cluster.kinds(GA))
    accesses = cluster.call(CITY, "GET", "/api/v1/me/accesses", subject=husband).json()
    assert {"subject_request", "subject_answer", "subject_change"} <= {
        a["kind"] for a in accesses["accesses"]
    }
    # Not the wife's: her list is empty, and she cannot read his request.
    assert cluster.call(CITY, "GET", "/api/v1/me/corrections", subject=wife).json() == []
    theirs = cluster.call(
        CITY, "GET", f"/api/v1/me/corrections/{request['request_id']}", subject=wife
    )
    assert theirs.status_code == 404


def test_a_refusal_states_its_reason_and_changes_nothing(cluster: Cluster) -> None:
    husband, _ = _couple(cluster)
    asked = cluster.call(
        CITY, "POST", "/api/v1/me/corrections", subject=husband,
        json={"data_item": "residence", "current_value": "370102", "requested_value": "370103",
              "reason": "已迁居市中区"},
    )  # fmt: skip
    assert asked.status_code == 201, asked.text
    rid = asked.json()["request_id"]
    path = f"/api/v1/dept/corrections/{rid}/answer"
    bare = cluster.call(GA, "POST", path, role="department_admin", organisation=GA,
                        json={"decision": "refuse"})  # fmt: skip
    assert bare.status_code == 422
    assert bare.json()["field"] == "reason"
    refused = cluster.call(GA, "POST", path, role="department_admin", organisation=GA,
                           json={"decision": "refuse", "reason": "未办理户口迁移登记"})  # fmt: skip
    assert refused.json()["status"] == "refused"
    again = cluster.call(GA, "POST", path, role="department_admin", organisation=GA,
                         json={"decision": "accept"})  # fmt: skip
    assert again.status_code == 409
    mine = cluster.call(CITY, "GET", f"/api/v1/me/corrections/{rid}", subject=husband).json()
    assert (mine["status"], mine["answer_reason"]) == ("refused", "未办理户口迁移登记")
    with cluster.dbs[GA].session() as session:
        assert session.get(Person, husband).address_code == "370102"  # type: ignore[union-attr]


def test_the_export_is_the_callers_own_with_others_masked(cluster: Cluster) -> None:
    husband, wife = _couple(cluster)
    data = cluster.call(CITY, "GET", "/api/v1/me/data", subject=husband)
    assert data.status_code == 200, data.text
    export = data.json()
    assert export["subject"] == husband
    assert set(export["sections"]) == {
        "registers", "certificates", "applications", "consents", "certificate_uses",
        "commitments", "credit", "accesses", "corrections", "objections",
    }  # fmt: skip
    (marriage,) = [
        r["row"] for r in export["sections"]["registers"] if r["register"] == "marriages"
    ]
    assert marriage["party_a_id"] == husband
    assert marriage["party_b_id"] == f"{wife[:4]}**********{wife[-4:]}"
    assert wife not in data.text
    page = cluster.call(CITY, "GET", "/api/v1/me/data?format=html&lang=en", subject=husband)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "attachment" in page.headers["content-disposition"]
    assert "What this node holds about me" in page.text
    assert f"{wife[:4]}**********{wife[-4:]}" in page.text
    assert wife not in page.text
    clerk = cluster.call(CITY, "GET", "/api/v1/me/data", role="clerk")
    assert clerk.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"data_item": "marital_status"}, "data_item"),
        ({"data_item": "residence", "requested_value": "99999"}, "requested_value"),
        ({"data_item": "residence", "reason": "x" * 1_000_001}, "reason"),
        ({"data_item": "residence", "current_value": 370102}, "current_value"),
        ({"data_item": "residence", "certificate_id": "1.2.156"}, "data_item"),
        ({"data_item": "residence", "surprise": 1}, "surprise"),
    ],
)
def test_bad_corrections_are_problems_naming_the_field(
    cluster: Cluster, body: dict[str, Any], field: str
) -> None:
    base = {"current_value": "370102", "requested_value": "370103", "reason": "迁居"}
    answer = cluster.call(CITY, "POST", "/api/v1/me/corrections", subject="11010519491231002X",
                          json={**base, **body})  # fmt: skip
    assert answer.status_code in (413, 422), answer.text
    if answer.status_code == 422:
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["field"] == field


def test_an_objection_blocks_later_questions_of_its_kind_until_withdrawn(
    cluster: Cluster,
) -> None:
    husband, _ = _couple(cluster)
    objecting = {"use": "marital_status", "reason": "不再同意查询婚姻状况"}
    made = cluster.call(CITY, "POST", "/api/v1/me/objections", subject=husband, json=objecting)
    assert made.status_code == 201, made.text
    ask = {
        "question": "marital_status",
        "provider": MZ,
        "args": {"id_number": husband},
        "service_item": "371A0101000000-370100000000-000-113701000100000206-1-00",
        "purpose": "结婚登记",
    }
    refused = cluster.call(
        CITY, "POST", "/api/v1/exchange/ask", role="clerk", organisation=CITY, json=ask
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["type"].endswith("/use-objected")
    assert refused.json()["use"] == "marital_status"
    assert husband not in refused.text
    assert "subject_objection" in cluster.kinds(CITY)
    # Another kind of question about them is not blocked by it (refused later for no grant
    # or consent, not for the objection).
    other = cluster.call(CITY, "POST", "/api/v1/exchange/ask", role="clerk", organisation=CITY,
                         json={**ask, "question": "age_at_least", "provider": GA,
                               "args": {"id_number": husband, "years": 18}})  # fmt: skip
    assert not other.json().get("type", "").endswith("/use-objected")
    # A stranger cannot withdraw it; the person can, and the block lifts.
    objection = made.json()["id"]
    stolen = cluster.call(CITY, "POST", f"/api/v1/me/objections/{objection}/withdraw",
                          subject="11010519491231002X")  # fmt: skip
    assert stolen.status_code == 404
    withdrawn = cluster.call(CITY, "POST", f"/api/v1/me/objections/{objection}/withdraw",
                             subject=husband)  # fmt: skip
    assert withdrawn.json()["withdrawn_at"] is not None
    after = cluster.call(
        CITY, "POST", "/api/v1/exchange/ask", role="clerk", organisation=CITY, json=ask
    )
    assert not after.json().get("type", "").endswith("/use-objected")


def test_a_department_node_that_is_down_gets_the_request_when_it_is_back(
    cluster: Cluster,
) -> None:
    husband, _ = _couple(cluster)
    cluster.down(GA)
    try:
        asked = cluster.call(
            CITY, "POST", "/api/v1/me/corrections", subject=husband,
            json={"data_item": "age_threshold", "current_value": "1990-03-01",
                  "requested_value": "1990-03-02", "reason": "登记有误"},
        )  # fmt: skip
        assert asked.status_code == 201, asked.text
        queued = asked.json()
        assert queued["delivery"] == "queued"
        assert queued["last_delivery_error"]
        assert queued["fact"] == "birth_date"
    finally:
        cluster.up(GA)
    sent = cluster.call(CITY, "POST", "/api/v1/subject-requests/deliver-pending", role="clerk")
    assert sent.status_code == 200, sent.text
    assert {"request_id": queued["request_id"], "delivered": True, "error": None} in sent.json()
    inbox = cluster.call(GA, "GET", "/api/v1/dept/corrections", role="department_admin",
                         organisation=GA).json()  # fmt: skip
    assert queued["request_id"] in {r["request_id"] for r in inbox}
    mine = cluster.call(CITY, "GET", f"/api/v1/me/corrections/{queued['request_id']}",
                        subject=husband).json()  # fmt: skip
    assert mine["delivery"] == "delivered"
