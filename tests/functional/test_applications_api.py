"""Applications over HTTP on the single province node that hosts its departments: a person
completes a service without paper, and only the right people see and act on the case."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from certfree import catalog, certs
from certfree.app import create_app
from certfree.applications.cases import get_application
from certfree.applications.running import questions_of
from certfree.crypto import KeyStore
from certfree.population import MarriageStatus, Sex
from certfree.settings import Settings
from certfree.storage import Database
from certfree.wallet import HolderKey, present
from factories.population import married_couple, person
from factories.single_node import PROVINCE, hosting_province

ELDERLY = "老年人优待证办理"
ID_CARD = "11100000000013047R001"


@pytest.fixture
def node(
    settings: Settings, db: Database, keys: KeyStore, demo_registry: None
) -> Iterator[TestClient]:
    with TestClient(create_app(hosting_province(settings, db, keys))) as client:
        yield client


def _bearer(client: TestClient, role: str, subject: str, org: str | None = None) -> dict[str, str]:
    tokens = client.app.state.node.tokens  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {tokens.issue(role, subject, organisation=org)}"}


def _clerk(client: TestClient, org: str = PROVINCE) -> dict[str, str]:
    return _bearer(client, "clerk", "staff-1", org)


def _elder(db: Database, birth: dt.date = dt.date(1950, 3, 8)) -> str:
    with db.session() as session:
        return person(session, name="赵秀兰", sex=Sex.FEMALE, birth=birth).id_number


def _consent(client: TestClient, app: dict[str, Any], party: str, key: HolderKey) -> Any:
    me = _bearer(client, "applicant", party)
    asked = sorted(
        {
            part["ref"]
            for req in app["requirements"]
            if req["subject"] == party
            for part in req["parts"]
            if part["way"] == "data_sharing"
        }
    )
    attested = client.post(
        "/api/v1/consent/attestations",
        headers=me,
        json={
            "consumer": app["node"],
            "service_item": app["service_item"],
            "questions": asked,
            "purpose": f"办理{app['service_name']}",
            "application": app["id"],
        },
    )
    assert attested.status_code == 201, attested.text
    return client.post(
        f"/api/v1/applications/{app['id']}/consent",
        headers=me,
        json={
            "party": party,
            "attestation": attested.json()["attestation"],
            "holder_jwk": key.public_jwk(),
        },
    )


def test_an_elder_gets_the_card_without_any_paper(node: TestClient, db: Database) -> None:
    elder = _elder(db)
    started = node.post(
        "/api/v1/applications", headers=_clerk(node), json={"service": ELDERLY, "applicant": elder}
    )
    assert started.status_code == 201, started.text
    app = started.json()
    assert app["state"] == "draft"
    assert [(r["party"], r["way"], r["status"]) for r in app["requirements"]] == [
        ("applicant", "data_sharing", "planned"),
        ("applicant", "data_sharing", "planned"),
    ]
    wallet = HolderKey.generate()
    consented = _consent(node, app, elder, wallet)
    assert consented.status_code == 200, consented.text
    assert consented.json()["parties"][0]["consented"] is True

    ran = node.post(f"/api/v1/applications/{app['id']}/run", headers=_clerk(node))
    assert ran.status_code == 200, ran.text
    evidence = ran.json()["evidence"]
    assert [e["status"] for e in evidence] == ["met", "met"]
    age = evidence[0]["proof"]["age_at_least"]
    assert age["answer"] == {"at_least": True}
    assert age["provider"] == "370100-GA"  # the department asked …
    assert age["signer"] == PROVINCE  # … answered and signed by the node hosting it
    keys: KeyStore = node.app.state.node.keys  # type: ignore[attr-defined]
    _, signed = keys.verify_jws(age["answer_jws"])  # the node's seal on what it answered …
    assert set(signed["body"]) == {"jwe"}  # … over the body encrypted to the node itself
    body = json.loads(keys.encryption.decrypt(signed["body"]["jwe"]))
    assert body["result"] == {"at_least": True}
    assert age["answer_body"] == body  # kept beside the seal as the evidence

    submitted = node.post(
        f"/api/v1/applications/{app['id']}/submit", headers=_bearer(node, "applicant", elder)
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["state"] == "submitted"
    assert submitted.json()["receipt"]

    decided = node.post(
        f"/api/v1/applications/{app['id']}/decide", headers=_clerk(node), json={"approve": True}
    )
    assert decided.status_code == 200, decided.text
    shown = node.get(
        f"/api/v1/applications/{app['id']}", headers=_bearer(node, "applicant", elder)
    ).json()
    assert shown["state"] == "decided"
    assert shown["decision"] == "approved"
    assert [i["type_name"] for i in shown["issued"]] == ["老年人优待证"]
    assert shown["proofs_not_demanded"] == 2
    assert shown["proofs_not_demanded_by_way"] == {
        "cancelled": 0,
        "data_sharing": 2,
        "e_certificate": 0,
        "commitment": 0,
        "department_verification": 0,
    }
    assert shown["parties"][0]["questions"] == ["age_at_least", "is_resident_of"]
    assert shown["parties"][0]["wallet_key"] is True
    assert shown["trips_saved"] >= 1
    assert [e["action"] for e in shown["events"]] == [
        "start",
        "consent",
        "evidence",
        "evidence",
        "submit",
        "accept",  # on the spot: decided at the counter
        "decide",
        "issue",
    ]
    figures = node.get("/api/v1/applications/stats", headers=_clerk(node)).json()
    assert figures["approved"] == 1
    assert figures["completed_without_paper"] == 1
    assert figures["proofs_not_demanded_by_way"]["data_sharing"] == 2
    assert figures["seconds_to_decision"]["count"] == 1


def test_strangers_see_nothing_and_only_the_accepting_node_decides(
    node: TestClient, db: Database
) -> None:
    elder = _elder(db)
    app = node.post(
        "/api/v1/applications", headers=_clerk(node), json={"service": ELDERLY, "applicant": elder}
    ).json()
    path = f"/api/v1/applications/{app['id']}"
    someone_else = _bearer(node, "applicant", _elder(db, dt.date(1951, 1, 1)))
    assert node.get(path, headers=someone_else).status_code == 404
    assert node.get(path, headers=_clerk(node, "370200")).status_code == 404
    assert (
        node.post(
            f"{path}/decide", headers=_clerk(node, "370200"), json={"approve": True}
        ).status_code
        == 404
    )
    own = _bearer(node, "applicant", elder)
    assert node.get(path, headers=own).status_code == 200
    refused = node.post(f"{path}/decide", headers=own, json={"approve": True})
    assert refused.status_code == 403
    listed = node.get("/api/v1/applications", headers=someone_else).json()
    assert listed["total"] == 0
    assert node.get("/api/v1/applications", headers=_clerk(node)).json()["total"] == 1


OPERATIONS = [
    ("GET", "", None),
    ("POST", "/parties", {"role": "spouse", "id": "110101199003070011"}),
    ("POST", "/presentations", {"requirement": 0, "presentation": "x~"}),
    ("POST", "/commitments", {"requirement": 0, "text_hash": "sm3:00"}),
    ("POST", "/run", None),
    ("POST", "/submit", None),
    ("POST", "/accept", None),
    ("POST", "/not-accept", {"reason": "材料不全"}),
    ("POST", "/request-correction", {"reason": "补正", "requirements": [0]}),
    ("POST", "/paper", {"requirement": 0, "note": "纸质证明"}),
    ("POST", "/decide", {"approve": True}),
    ("POST", "/withdraw", {}),
]


@pytest.mark.parametrize(("method", "suffix", "body"), OPERATIONS)
@pytest.mark.parametrize(
    ("role", "org"), [("applicant", None), ("clerk", "370200"), ("department_admin", "370100-RS")]
)
def test_a_stranger_cannot_find_the_application(
    *,
    node: TestClient,
    db: Database,
    method: str,
    suffix: str,
    body: dict[str, Any] | None,
    role: str,
    org: str | None,
) -> None:
    app = node.post(
        "/api/v1/applications",
        headers=_clerk(node),
        json={"service": ELDERLY, "applicant": _elder(db)},
    ).json()
    stranger = _bearer(node, role, _elder(db, dt.date(1949, 5, 5)), org)
    answer = node.request(
        method, f"/api/v1/applications/{app['id']}{suffix}", headers=stranger, json=body
    )
    # A role the route refuses is 403 before the object is looked up; any other is told the
    # application does not exist.
    assert answer.status_code in (403, 404), answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    shown = node.get(f"/api/v1/applications/{app['id']}", headers=_clerk(node)).json()
    assert shown["state"] == "draft"
    assert [e["action"] for e in shown["events"]] == ["start"]


def test_a_department_sees_only_what_is_asked_of_it(node: TestClient, db: Database) -> None:
    app = node.post(
        "/api/v1/applications",
        headers=_clerk(node),
        json={"service": ELDERLY, "applicant": _elder(db)},
    ).json()
    path = f"/api/v1/applications/{app['id']}"
    police = node.get(path, headers=_bearer(node, "department_admin", "gov-1", "370100-GA")).json()
    assert [r["party"] for r in police["requirements"]] == ["applicant", "applicant"]
    assert "parties" not in police
    assert "events" not in police
    health = node.get(path, headers=_bearer(node, "department_admin", "gov-2", "370100-WJ"))
    assert health.status_code == 404


def test_approval_waits_for_every_requirement_and_a_refusal_cites_one(
    node: TestClient, db: Database
) -> None:
    elder = _elder(db)
    app = node.post(
        "/api/v1/applications", headers=_clerk(node), json={"service": ELDERLY, "applicant": elder}
    ).json()
    path = f"/api/v1/applications/{app['id']}"
    assert node.post(f"{path}/submit", headers=_clerk(node)).status_code == 200
    early = node.post(f"{path}/decide", headers=_clerk(node), json={"approve": True})
    assert early.status_code == 409
    assert early.json()["field"] == "requirements.0"
    assert "尚未满足" in early.json()["detail"]
    vague = node.post(
        f"{path}/decide", headers=_clerk(node), json={"approve": False, "reason": "不符合"}
    )
    assert vague.status_code == 422
    assert vague.json()["field"] == "requirement"
    refused = node.post(
        f"{path}/decide",
        headers=_clerk(node),
        json={"approve": False, "reason": "户籍不在本省", "requirement": 1},
    )
    assert refused.status_code == 200, refused.text
    assert refused.json()["decision"] == "refused"
    decision = refused.json()["decision_record"]
    assert decision["outcome"] == "refused"
    assert decision["requirement"] == 1
    keys: KeyStore = node.app.state.node.keys  # type: ignore[attr-defined]
    _, sealed = keys.verify_jws(decision["seal"])
    assert "依据申请条件「申请人户籍在山东省」：户籍不在本省" in sealed["text"]
    assert sealed["text_sm3"].startswith("sm3:")
    again = node.post(f"{path}/withdraw", headers=_bearer(node, "applicant", elder), json={})
    assert again.status_code == 409  # decided: nothing to withdraw


def test_correction_stops_the_clock(node: TestClient, db: Database) -> None:
    elder = _elder(db)
    app = node.post(
        "/api/v1/applications", headers=_clerk(node), json={"service": ELDERLY, "applicant": elder}
    ).json()
    path = f"/api/v1/applications/{app['id']}"
    node.post(f"{path}/submit", headers=_bearer(node, "applicant", elder))
    accepted = node.post(f"{path}/accept", headers=_clerk(node)).json()
    assert accepted["state"] == "accepted"
    assert accepted["promised_days"] == 5
    assert accepted["due_on"] > dt.date.today().isoformat()
    asked = node.post(
        f"{path}/request-correction",
        headers=_clerk(node),
        json={"reason": "请补充", "requirements": [7]},
    )
    assert asked.status_code == 422  # no eighth requirement
    corrected = node.post(
        f"{path}/request-correction",
        headers=_clerk(node),
        json={"reason": "请补充", "requirements": [0]},
    ).json()
    assert corrected["state"] == "correction_requested"
    back = node.post(f"{path}/submit", headers=_bearer(node, "applicant", elder)).json()
    assert back["state"] == "verifying"
    assert back["due_on"] == accepted["due_on"]  # resubmitted the same day: no day lost


def test_a_correction_is_supplied_while_the_clock_stands(node: TestClient, db: Database) -> None:
    elder = _elder(db)
    app = node.post(
        "/api/v1/applications", headers=_clerk(node), json={"service": ELDERLY, "applicant": elder}
    ).json()
    path = f"/api/v1/applications/{app['id']}"
    node.post(f"{path}/submit", headers=_bearer(node, "applicant", elder))
    node.post(f"{path}/accept", headers=_clerk(node))
    corrected = node.post(
        f"{path}/request-correction",
        headers=_clerk(node),
        json={"reason": "请授权核验年龄与户籍", "requirements": [0, 1]},
    ).json()
    assert corrected["state"] == "correction_requested"
    assert _consent(node, app, elder, HolderKey.generate()).status_code == 200
    ran = node.post(f"{path}/run", headers=_clerk(node))
    assert ran.status_code == 200, ran.text
    assert ran.json()["state"] == "correction_requested"  # still waits for the resubmission
    assert [e["status"] for e in ran.json()["evidence"]] == ["met", "met"]
    back = node.post(f"{path}/submit", headers=_bearer(node, "applicant", elder)).json()
    assert back["state"] == "verifying"
    decided = node.post(f"{path}/decide", headers=_clerk(node), json={"approve": True})
    assert decided.status_code == 200, decided.text
    assert decided.json()["decision"] == "approved"


def test_figures_count_what_approved_applications_spared(node: TestClient, db: Database) -> None:
    elder = _elder(db)
    app = node.post(
        "/api/v1/applications", headers=_clerk(node), json={"service": ELDERLY, "applicant": elder}
    ).json()
    assert _consent(node, app, elder, HolderKey.generate()).status_code == 200
    ran = node.post(f"/api/v1/applications/{app['id']}/run", headers=_clerk(node)).json()
    assert [e["status"] for e in ran["evidence"]] == ["met", "met"]
    # Every proof established, nothing decided yet: nobody has been spared anything.
    open_case = node.get("/api/v1/applications/stats", headers=_clerk(node)).json()
    assert open_case["applications"] == 1
    assert open_case["proofs_not_demanded"] == 0
    assert open_case["trips_saved"] == 0
    assert open_case["completed_without_paper"] == 0
    node.post(f"/api/v1/applications/{app['id']}/submit", headers=_bearer(node, "applicant", elder))
    decided = node.post(
        f"/api/v1/applications/{app['id']}/decide", headers=_clerk(node), json={"approve": True}
    )
    assert decided.status_code == 200, decided.text
    approved = node.get("/api/v1/applications/stats", headers=_clerk(node)).json()
    assert approved["proofs_not_demanded"] == 2
    assert approved["trips_saved"] >= 1
    assert approved["completed_without_paper"] == 1


def test_an_answer_is_recorded_only_where_the_part_still_asks_it(
    node: TestClient, db: Database
) -> None:
    elder = _elder(db)
    app = node.post(
        "/api/v1/applications", headers=_clerk(node), json={"service": ELDERLY, "applicant": elder}
    ).json()
    with db.session() as session:
        case = get_application(session, app["id"])
        asked = questions_of(case)
        part = dict(case.slots[0].parts[0])
    age = asked[0]
    assert (age.question, age.subjects) == ("age_at_least", [elder])
    assert age.asks_for(part)
    # What a run that read the plan before may find when it comes to write the answer:
    assert not age.asks_for({**part, "status": "met"})  # answered or presented meanwhile
    assert not age.asks_for({**part, "node": "370000-GA"})  # planned again elsewhere
    assert not age.asks_for({**part, "args": {**part["args"], "years": 65}})
    assert not age.asks_for({**part, "way": "e_certificate"})


def test_the_hosts_home_is_asked_about_the_host_and_kinship_about_both(
    node: TestClient, db: Database
) -> None:
    with db.session() as session:
        mover = person(session, name="孙浩", birth=dt.date(2001, 4, 2)).id_number
        host = person(session, name="孙建国", birth=dt.date(1968, 9, 30), county="370103").id_number
    app = node.post(
        "/api/v1/applications",
        headers=_clerk(node),
        json={"service": "投靠亲属落户", "applicant": mover, "parties": {"host": host}},
    ).json()
    asked = {
        part["question"]: part["args"]
        for requirement in app["requirements"]
        for part in requirement["parts"]
        if part["way"] == "data_sharing"
    }
    assert set(asked["same_household"].values()) == {mover, host}
    assert asked["owns_property"]["id_number"] == host
    questions = {p["role"]: p["questions"] for p in app["parties"]}
    assert questions == {
        "applicant": ["same_household"],
        "host": ["owns_property", "same_household"],
    }
    without_host = node.post(
        "/api/v1/applications",
        headers=_clerk(node),
        json={"service": "投靠亲属落户", "applicant": mover},
    )
    assert without_host.status_code == 409
    assert without_host.json()["field"] == "parties"
    assert "被投靠人" in without_host.json()["detail"]


MARRIAGE = "内地居民结婚登记"


def _marriage(client: TestClient, applicant: str, spouse: str) -> dict[str, Any]:
    """A marriage registration started at the counter, both parties consenting, then run."""
    app = client.post(
        "/api/v1/applications",
        headers=_clerk(client),
        json={"service": MARRIAGE, "applicant": applicant, "parties": {"spouse": spouse}},
    ).json()
    for party in (applicant, spouse):
        consented = _consent(client, app, party, HolderKey.generate())
        assert consented.status_code == 200, consented.text
    ran = client.post(f"/api/v1/applications/{app['id']}/run", headers=_clerk(client))
    assert ran.status_code == 200, ran.text
    shown: dict[str, Any] = ran.json()
    return shown


def _marital_status(ran: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(requirement, status, answer) of the two marital-status requirements."""
    return [
        (e["requirement"], e["status"], e["proof"]["marital_status"]["answer"])
        for e in ran["evidence"]
        if "婚姻状况" in e["requirement"]
    ]


def test_a_married_person_does_not_meet_no_spouse_for_a_marriage(
    node: TestClient, db: Database
) -> None:
    with db.session() as session:
        husband, _, _ = married_couple(session)
        _, divorcee, former = married_couple(session, registered_on=dt.date(2015, 9, 9))
        former.status, former.divorced_on = MarriageStatus.DIVORCED, dt.date(2021, 3, 1)
        other = person(session, name="陈晓红", sex=Sex.FEMALE, birth=dt.date(1994, 2, 2))
        groom = person(session, name="吴磊", birth=dt.date(1993, 11, 20))
        ids = husband.id_number, other.id_number, groom.id_number, divorcee.id_number
    bigamy = _marriage(node, ids[0], ids[1])
    assert _marital_status(bigamy) == [
        ("申请人婚姻状况（无配偶）", "failed", {"status": "married"}),
        ("另一方当事人婚姻状况（无配偶）", "met", {"status": "unmarried"}),
    ]
    free = _marriage(node, ids[2], ids[3])
    assert _marital_status(free) == [
        ("申请人婚姻状况（无配偶）", "met", {"status": "unmarried"}),
        ("另一方当事人婚姻状况（无配偶）", "met", {"status": "divorced"}),
    ]


def test_age_shown_by_the_id_cards_predicate_when_police_cannot_be_asked(
    node: TestClient, db: Database
) -> None:
    """Without a grant for the age question, the plan takes the e-ID card's age_over_60: the
    elder shows the predicate alone, and the proof keeps what was disclosed, no birth date."""
    wallet = HolderKey.generate()
    node_keys: KeyStore = node.app.state.node.keys  # type: ignore[attr-defined]
    with db.session() as session:
        elder = person(session, name="韩桂芝", sex=Sex.FEMALE, birth=dt.date(1952, 2, 2))
        for grant in catalog.list_grants(session, include_revoked=False):
            if grant.question == "age_at_least":
                catalog.revoke_grant(session, grant.id, revoked_by="test")
        face = {
            **certs.cert_type(ID_CARD).example,
            "name": elder.name,
            "sex": "女",
            "birth_date": "1952-02-02",
            "id_number": elder.id_number,
        }
        card = certs.issue_certificate(
            session,
            node_keys,
            type_code=ID_CARD,
            holder_id=elder.id_number,
            face_data=face,
            holder_jwk=wallet.public_jwk(),
        )
        elder_id = elder.id_number
    app = node.post(
        "/api/v1/applications",
        headers=_clerk(node),
        json={"service": ELDERLY, "applicant": elder_id},
    ).json()
    age = app["requirements"][0]
    assert (age["way"], age["parts"][0]["certificate_type"]) == ("e_certificate", ID_CARD)
    shown = present(card.credential, wallet, ["age_over_60"], audience=app["node"], nonce=app["id"])
    path = f"/api/v1/applications/{app['id']}"
    unbound = node.post(
        f"{path}/presentations",
        headers=_bearer(node, "applicant", elder_id),
        json={"requirement": 0, "presentation": shown},
    )
    # Without the holder's number, only the wallet key the party registered ties it to them.
    assert unbound.status_code == 422
    assert "不是该当事人的" in unbound.json()["detail"]
    registered = node.post(
        f"{path}/wallet-key",
        headers=_bearer(node, "applicant", elder_id),
        json={"party": elder_id, "holder_jwk": wallet.public_jwk()},
    )
    assert registered.status_code == 200, registered.text
    answer = node.post(
        f"/api/v1/applications/{app['id']}/presentations",
        headers=_bearer(node, "applicant", elder_id),
        json={"requirement": 0, "presentation": shown},
    )
    assert answer.status_code == 200, answer.text
    proof = answer.json()["evidence"][0]["proof"][age["parts"][0]["ref"]]
    assert proof["disclosed"] == {"age_over_60": True}
    assert proof["type"] == ID_CARD
    replayed = node.post(
        f"/api/v1/applications/{app['id']}/presentations",
        headers=_bearer(node, "applicant", elder_id),
        json={"requirement": 1, "presentation": shown},
    )
    assert replayed.status_code == 422  # the residence is asked, not shown: outside the plan
