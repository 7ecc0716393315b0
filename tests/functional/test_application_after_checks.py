"""After-checks that act: the commitment a 被投靠人 signed in lieu of a housing proof is
checked against 济南市自然资源和规划局 (370100-ZR) through the exchange; a false one goes on
the credit record, and the household-register entry the case issued is revoked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from certfree import certs, commitments
from certfree.applications import SlotStatus, decide_application, get_application
from certfree.applications.after_checks import DataCheck, run_data_checks
from certfree.commitments import CheckOutcome, PlanSettings
from certfree.crypto import Alg, generate_signer
from certfree.demo import register_demo_nodes
from certfree.nodes import DepartmentKind
from certfree.population import Household, Person, PropertyTitle, Sex
from certfree.proofs import Way
from factories import population
from factories.commitments import proof_item, submitted
from factories.grants import grant_for
from factories.ready_cases import new_application
from helpers.cascade import Nodes, running_nodes

PROVINCE, CITY, DESK, ZR = "370000", "370100", "370100-GA", "370100-ZR"
LEVELS = {PROVINCE: "province", CITY: "city", DESK: "department", ZR: "department"}
PARENTS = {CITY: PROVINCE, DESK: CITY, ZR: CITY}
HOUSING = "SD-ZM-GA-002"  # realised by the owns_property question (proof_realisations.csv)
SERVICE = "T-MOVE"  # the 投靠亲属落户 item of factories.ready_cases
BASIS = "《户口登记条例》第十条（示例，测试用）"


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[Nodes]:
    with running_nodes(tmp_path, LEVELS, PARENTS) as running:
        with running.dbs[DESK].session() as session:
            register_demo_nodes(session)  # the desk issues as its registered organ
        with running.dbs[ZR].session() as session:
            grant_for(
                session,
                "owns_property",
                consumer=DESK,
                provider=ZR,
                service_item=SERVICE,
                consent_exempt_basis=BASIS,
            )
        yield running


def _copy_person(source: Session, target: Session, person: Person) -> None:
    """The same resident in another department's register (one synthetic world)."""
    home = source.get(Household, person.household_no)
    assert home is not None
    target.add(
        Household(
            household_no=home.household_no,
            division_code=home.division_code,
            address=home.address,
            head_id_number=home.head_id_number,
        )
    )
    target.add(
        Person(
            id_number=person.id_number,
            name=person.name,
            sex=person.sex,
            birth_date=person.birth_date,
            address_code=person.address_code,
            household_no=person.household_no,
            ethnic_group=person.ethnic_group,
            deceased=False,
        )
    )


def _decided_case(nodes: Nodes, *, host_owns: bool) -> tuple[str, str, str]:
    """At the desk: a 投靠亲属落户 approved with the host's commitment in lieu of the housing
    proof, its household-register entry issued, and the commitment drawn for a data check.
    At ZR: the host, with a title or without. Returns (application id, host, certificate)."""
    keys = nodes.keys[DESK]
    with nodes.dbs[DESK].session() as session, nodes.dbs[ZR].session() as zr:
        proof_item(
            session,
            code=HOUSING,
            name="住房证明",
            ways=(Way.COMMITMENT, Way.PAPER),
            department=DepartmentKind.GA,
        )
        host = population.person(session, name="王大山", birth=dt.date(1960, 10, 1))
        mother = population.person(
            session, name="李秀梅", sex=Sex.FEMALE, birth=dt.date(1938, 2, 14)
        )
        _copy_person(session, zr, host)
        if host_owns:
            zr.add(
                PropertyTitle(
                    certificate_no="鲁(2020)济南市不动产权第0000101号",
                    owner_id=host.id_number,
                    co_owner_id=None,
                    division_code="370102",
                    area_dm2=9_000,
                    registered_on=dt.date(2020, 5, 1),
                )
            )
        app = new_application(
            session,
            "11100000000013047R002",
            applicant=(mother.id_number, generate_signer(Alg.ES256)),
            host=(host.id_number, generate_signer(Alg.ES256)),
        )
        signed = submitted(
            session, keys, HOUSING, applicant_id=host.id_number, service_code=SERVICE
        )
        slot = app.slots[0]
        slot.requirement, slot.party, slot.subject_id = (
            "被投靠人在迁入地有合法稳定住所",
            "host",
            host.id_number,
        )
        slot.way = Way.COMMITMENT
        slot.parts = [
            {
                "kind": "proof_item",
                "ref": HOUSING,
                "name": "住房证明",
                "parameters": {},
                "way": Way.COMMITMENT.value,
                "node": None,
                "reason": "commitment_open",
                "status": SlotStatus.MET.value,
                "proof": {"commitment_id": signed.id, "seal": signed.seal},
            }
        ]
        (issued,) = decide_application(
            session, keys, app, actor="clerk-1", approve=True, base_url="http://n370100-ga.test"
        )
        commitments.set_sampling_plan(session, HOUSING, PlanSettings(base_rate=1.0), actor="t")
        (check,) = commitments.draw_after_checks(session, seed="2026-12")
        assert check.commitment_id == signed.id
        return app.id, host.id_number, issued["certificate_id"]


def _run(nodes: Nodes) -> list[DataCheck]:
    runtime = nodes.apps[DESK].state.node.exchange
    return nodes.run(run_data_checks(runtime, node_code=DESK, actor="checker-1"))


def _event(nodes: Nodes, app_id: str) -> Any:
    with nodes.dbs[DESK].session() as session:
        last = get_application(session, app_id).events[-1]
        session.expunge(last)
        return last


def _case_decision(nodes: Nodes, app_id: str) -> str | None:
    with nodes.dbs[DESK].session() as session:
        decision = get_application(session, app_id).decision
        return None if decision is None else decision.value


def _case(nodes: Nodes, app_id: str) -> dict[str, Any]:
    with nodes.dbs[DESK].session() as session:
        app = get_application(session, app_id)
        return {
            "issued": list(app.issued),
            "events": [(e.action, dict(e.detail)) for e in app.events],
        }


def test_a_false_commitment_goes_on_the_credit_record_and_revokes_the_result(
    nodes: Nodes,
) -> None:
    app_id, host, certificate_id = _decided_case(nodes, host_owns=False)

    (done,) = _run(nodes)

    assert (done.application_id, done.question, done.provider) == (app_id, "owns_property", ZR)
    assert done.outcome is CheckOutcome.FALSE_COMMITMENT
    assert "owns=False" in done.note
    with nodes.dbs[DESK].session() as session:
        (record,) = commitments.credit_records_for(session, host)
        assert record.status is commitments.CreditStatus.OPEN
        assert record.consequence is commitments.CreditConsequence.REVOKE_DECISION
        # The commitment route is barred for the host from now on.
        assert commitments.commitment_refusal(session, host, HOUSING)
        stored = certs.get_certificate(session, certificate_id)
        assert certs.effective_status(stored) is certs.CertStatus.REVOKED
        assert stored.revocation_reason is certs.RevocationReason.CANCELLED_BY_AUTHORITY
    case = _case(nodes, app_id)
    (entry,) = case["issued"]
    assert (entry["status"], entry["revocation_reason"]) == ("revoked", "cancelled_by_authority")
    action, detail = case["events"][-1]
    assert action == "after_check"
    assert (detail["outcome"], detail["consequence"]) == ("false_commitment", "revoke_decision")
    assert detail["revoked_certificates"] == [certificate_id]
    assert detail["certificates_revoked"] is True
    # The decision stays as taken: revoking it is the authority's to decide.
    event = _event(nodes, app_id)
    assert "行政决定待复核" in (event.reason or "")
    assert _case_decision(nodes, app_id) == "approved"
    # Done once: the next run finds nothing open.
    assert _run(nodes) == []


def test_a_commitment_the_data_bears_out_is_confirmed_and_the_result_stands(
    nodes: Nodes,
) -> None:
    app_id, host, certificate_id = _decided_case(nodes, host_owns=True)

    (done,) = _run(nodes)

    assert done.outcome is CheckOutcome.CONFIRMED
    with nodes.dbs[DESK].session() as session:
        assert commitments.credit_records_for(session, host) == []
        stored = certs.get_certificate(session, certificate_id)
        assert certs.effective_status(stored) is certs.CertStatus.ISSUED
    case = _case(nodes, app_id)
    assert "status" not in case["issued"][0]
    assert case["events"][-1][0] == "after_check"
    assert case["events"][-1][1]["outcome"] == "confirmed"


def test_while_the_department_is_down_the_check_waits(nodes: Nodes) -> None:
    _decided_case(nodes, host_owns=False)
    nodes.down(ZR)

    (waiting,) = _run(nodes)

    assert waiting.outcome is None
    assert waiting.note.startswith("数据暂不可得")
    assert waiting.waiting_for == "data"
    with nodes.dbs[DESK].session() as session:
        (check,) = commitments.list_after_checks(session)
        assert check.status is commitments.AfterCheckStatus.PENDING


def test_a_department_that_needs_consent_the_party_did_not_give_leaves_the_check_waiting_for_it(
    tmp_path: Path,
) -> None:
    # A grant without an exemption: the department answers only with the owner's consent,
    # and the application's consents cover its plan, never the after-check's question.
    with running_nodes(tmp_path, LEVELS, PARENTS) as running:
        with running.dbs[DESK].session() as session:
            register_demo_nodes(session)
        with running.dbs[ZR].session() as session:
            grant_for(session, "owns_property", consumer=DESK, provider=ZR, service_item=SERVICE)
        _decided_case(running, host_owns=False)

        (waiting,) = _run(running)

        assert waiting.outcome is None
        assert waiting.waiting_for == "consent"
        assert waiting.note.startswith("当事人的同意不涵盖事后核查问题 owns_property")
        assert "数据暂不可得" not in waiting.note
        with running.dbs[DESK].session() as session:
            (check,) = commitments.list_after_checks(session)
            assert check.status is commitments.AfterCheckStatus.PENDING


MZ = "370100-MZ"
MARITAL = "SD-ZM-MZ-004"  # realised by the marital_status question (proof_realisations.csv)
NO_SPOUSE = {"status": ["unmarried", "divorced", "widowed"]}


@pytest.fixture
def marriage_nodes(tmp_path: Path) -> Iterator[Nodes]:
    """The city's service centre takes marriage registrations; 济南市民政局 answers."""
    levels = {PROVINCE: "province", CITY: "city", MZ: "department"}
    with running_nodes(tmp_path, levels, {CITY: PROVINCE, MZ: CITY}) as running:
        with running.dbs[MZ].session() as session:
            grant_for(
                session,
                "marital_status",
                consumer=CITY,
                provider=MZ,
                service_item="T-MARRIAGE",
                consent_exempt_basis=BASIS,
            )
        yield running


def _no_spouse_commitment(nodes: Nodes, *, married: bool, expect: dict[str, Any]) -> str:
    """At the city: a marriage registration whose applicant committed to having no spouse
    (in lieu of the marital-status proof), the slot expecting ``expect``, drawn for a data
    check. At MZ: the applicant, married or not. Returns the applicant's ID number."""
    with nodes.dbs[CITY].session() as session, nodes.dbs[MZ].session() as mz:
        proof_item(
            session,
            code=MARITAL,
            name="婚姻状况证明",
            ways=(Way.COMMITMENT, Way.PAPER),
            department=DepartmentKind.MZ,
        )
        if married:
            applicant, _, _ = population.married_couple(mz)
        else:
            applicant = population.person(mz, name="周雨", sex=Sex.FEMALE)
        app = new_application(
            session, "111000000000132071001", applicant=(applicant.id_number, None)
        )
        app.node_code = CITY
        signed = submitted(
            session,
            nodes.keys[CITY],
            MARITAL,
            applicant_id=applicant.id_number,
            service_code="T-MARRIAGE",
        )
        slot = app.slots[0]
        slot.requirement, slot.way = "申请人婚姻状况（无配偶）", Way.COMMITMENT
        slot.parts = [
            {
                "kind": "proof_item",
                "ref": MARITAL,
                "name": "婚姻状况证明",
                "parameters": {},
                "expect": expect,
                "way": Way.COMMITMENT.value,
                "status": SlotStatus.MET.value,
                "proof": {"commitment_id": signed.id, "seal": signed.seal},
            }
        ]
        commitments.set_sampling_plan(session, MARITAL, PlanSettings(base_rate=1.0), actor="t")
        (check,) = commitments.draw_after_checks(session, seed="2026-12")
        assert check.commitment_id == signed.id
        return applicant.id_number


def _run_at_city(nodes: Nodes) -> list[DataCheck]:
    runtime = nodes.apps[CITY].state.node.exchange
    return nodes.run(run_data_checks(runtime, node_code=CITY, actor="checker-1"))


@pytest.mark.parametrize(
    ("married", "outcome"),
    [(True, CheckOutcome.FALSE_COMMITMENT), (False, CheckOutcome.CONFIRMED)],
)
def test_a_no_spouse_commitment_is_judged_by_the_answer_the_item_expects(
    marriage_nodes: Nodes, married: bool, outcome: CheckOutcome
) -> None:
    applicant = _no_spouse_commitment(marriage_nodes, married=married, expect=NO_SPOUSE)

    (done,) = _run_at_city(marriage_nodes)

    assert (done.question, done.provider, done.outcome) == ("marital_status", MZ, outcome)
    assert ("status=married" if married else "status=unmarried") in done.note
    with marriage_nodes.dbs[CITY].session() as session:
        records = commitments.credit_records_for(session, applicant)
    assert len(records) == (1 if married else 0)


def test_a_marital_status_nobody_expected_waits_for_a_person(marriage_nodes: Nodes) -> None:
    _no_spouse_commitment(marriage_nodes, married=True, expect={})

    (waiting,) = _run_at_city(marriage_nodes)

    assert waiting.outcome is None
    assert "status=married" in waiting.note
    assert "须人工比对" in waiting.note
    with marriage_nodes.dbs[CITY].session() as session:
        (check,) = commitments.list_after_checks(session)
        assert check.status is commitments.AfterCheckStatus.PENDING
