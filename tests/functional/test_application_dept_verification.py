"""Running an application's plan sends its department verifications between real nodes: the
desk of 济南市民政局 (370100-MZ) asks 济南市公安局 (370100-GA) through 济南 (370100); the
department's clerk answers over its API, and the next run meets the requirement."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from certfree.applications import Application, SlotStatus, get_application, run_application
from certfree.exchange.verification import requests as verification
from certfree.exchange.verification.requests import VerificationSide
from certfree.nodes import DepartmentKind
from certfree.proofs import Way
from factories import population
from factories.commitments import proof_item
from factories.ready_cases import new_application
from helpers.cascade import Nodes, running_nodes

PROVINCE, CITY, DESK, GA = "370000", "370100", "370100-MZ", "370100-GA"
LEVELS = {PROVINCE: "province", CITY: "city", DESK: "department", GA: "department"}
PARENTS = {CITY: PROVINCE, DESK: CITY, GA: CITY}


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[Nodes]:
    with running_nodes(tmp_path, LEVELS, PARENTS) as running:
        yield running


def _application(nodes: Nodes) -> str:
    """At the desk: a marriage registration whose kinship requirement the window verifies
    with the police (the proof 派出所 used to issue)."""
    with nodes.dbs[DESK].session() as session:
        item = proof_item(
            session,
            name="亲属关系证明",
            ways=(Way.DEPARTMENT_VERIFICATION, Way.PAPER),
            department=DepartmentKind.GA,
        )
        applicant = population.person(session, name="林涛")
        app = new_application(
            session, "111000000000132071001", applicant=(applicant.id_number, None)
        )
        slot = app.slots[0]
        slot.way, slot.status = Way.DEPARTMENT_VERIFICATION, SlotStatus.PLANNED
        slot.parts = [
            {
                "kind": "proof_item",
                "ref": item.code,
                "name": item.name,
                "parameters": {},
                "way": Way.DEPARTMENT_VERIFICATION.value,
                "node": None,
                "reason": "department_verification",
                "status": SlotStatus.PLANNED.value,
                "proof": None,
            }
        ]
        return app.id


def _run(nodes: Nodes, app_id: str) -> Application:
    runtime = nodes.apps[DESK].state.node.exchange

    def planner(*_: object) -> object:
        raise AssertionError("no provider is down: nothing to plan again")

    nodes.run(run_application(runtime, app_id, actor="clerk-1", planner=planner))  # type: ignore[arg-type]
    with nodes.dbs[DESK].session() as session:
        app = get_application(session, app_id)
        app.slots  # noqa: B018 - loaded before the session closes
        return app


def test_a_run_sends_the_request_and_a_later_run_takes_the_answer(nodes: Nodes) -> None:
    app_id = _application(nodes)

    waiting = _run(nodes, app_id)

    assert waiting.slots[0].status is SlotStatus.WAITING
    proof = waiting.slots[0].parts[0]["proof"]
    assert proof["department"] == GA
    request_id = proof["request_id"]
    with nodes.dbs[GA].session() as session:
        inbox = verification.find_request(session, request_id, VerificationSide.INBOX)
        assert inbox is not None
        assert (inbox.consumer_code, inbox.supporting) == (DESK, {"application": app_id})
        assert inbox.subject_id == waiting.applicant_id
    with nodes.dbs[DESK].session() as session:
        outbox = verification.find_request(session, request_id, VerificationSide.OUTBOX)
        assert outbox is not None
        assert outbox.delivery is verification.DeliveryState.DELIVERED

    token = nodes.apps[GA].state.node.tokens.issue("department_admin", "ga-admin-2")
    with nodes.client(GA) as client:
        answered = client.post(
            f"/api/v1/dept-verifications/{request_id}/answer",
            headers={"Authorization": f"Bearer {token}"},
            json={"outcome": "confirmed", "note": "户籍档案显示双方无亲属关系"},
        )
    assert answered.status_code == 200, answered.text
    assert answered.json()["delivery"] == "delivered"

    met = _run(nodes, app_id)

    assert met.slots[0].status is SlotStatus.MET
    proof = met.slots[0].parts[0]["proof"]
    assert (proof["outcome"], proof["answered_by"]) == ("confirmed", "ga-admin-2")
    assert proof["note"] == "户籍档案显示双方无亲属关系"


def test_a_department_that_is_down_leaves_the_request_queued_and_the_part_waiting(
    nodes: Nodes,
) -> None:
    app_id = _application(nodes)
    nodes.down(GA)

    waiting = _run(nodes, app_id)

    assert waiting.slots[0].status is SlotStatus.WAITING
    proof = waiting.slots[0].parts[0]["proof"]
    with nodes.dbs[DESK].session() as session:
        outbox = verification.find_request(session, proof["request_id"], VerificationSide.OUTBOX)
        assert outbox is not None
        assert outbox.delivery is verification.DeliveryState.QUEUED
        assert outbox.last_delivery_error
    # The next run shows why it still waits.
    again = _run(nodes, app_id)
    assert again.slots[0].parts[0]["proof"]["delivery"] == "queued"
    assert again.slots[0].parts[0]["proof"]["delivery_error"]
