"""A department-verification part of an application's plan: the request it sends, and the
part kept in step with the request's answer (or its deadline)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from certfree.applications import Application, SlotStatus
from certfree.applications.dept_verification import (
    request_department_verifications,
    sync_department_verifications,
)
from certfree.exchange.verification import requests as verification
from certfree.exchange.verification.requests import VerificationSide
from certfree.nodes import DepartmentKind
from certfree.proofs import ItemDraft, Way, add_item
from certfree.storage import Database
from factories import population
from factories.certificates import NOW
from factories.commitments import CIVIL_CODE, proof_item
from factories.ready_cases import new_application

DESK, GA = "370100-MZ", "370100-GA"


def _planned(session: Session, proof_code: str, name: str) -> Application:
    """A submitted marriage registration whose one requirement waits on ``proof_code``,
    planned as a department verification."""
    applicant = population.person(session, name="林涛")
    app = new_application(session, "111000000000132071001", applicant=(applicant.id_number, None))
    slot = app.slots[0]
    slot.requirement = "双方没有直系血亲和三代以内旁系血亲关系"
    slot.way, slot.status = Way.DEPARTMENT_VERIFICATION, SlotStatus.PLANNED
    slot.parts = [
        {
            "kind": "proof_item",
            "ref": proof_code,
            "name": name,
            "parameters": {},
            "way": Way.DEPARTMENT_VERIFICATION.value,
            "node": None,
            "reason": "department_verification",
            "status": SlotStatus.PLANNED.value,
            "proof": None,
        }
    ]
    session.flush()
    return app


def _kinship(session: Session) -> Application:
    item = proof_item(
        session,
        name="亲属关系证明",
        fact="双方没有禁止结婚的亲属关系",
        ways=(Way.DEPARTMENT_VERIFICATION, Way.PAPER),
        department=DepartmentKind.GA,
    )
    return _planned(session, item.code, item.name)


def _answer(session: Session, request_id: str, outcome: str, note: str | None = None) -> None:
    """The department's answer arriving at the desk (what its message handler stores)."""
    verification.record_answer(
        session,
        {
            "request_id": request_id,
            "outcome": outcome,
            "note": note,
            "answered_by": "ga-clerk-7",
            "answered_at": (NOW + dt.timedelta(hours=2)).isoformat(),
        },
        consumer=DESK,
        department=GA,
    )


def _part(app: Application) -> dict[str, Any]:
    return dict(app.slots[0].parts[0])


def test_the_request_names_the_department_the_party_and_the_application(db: Database) -> None:
    with db.session() as session:
        app = _kinship(session)
        (request_id,) = request_department_verifications(
            session, app, consumer=DESK, actor="clerk-1", now=NOW
        )
        row = verification.find_request(session, request_id, VerificationSide.OUTBOX)
        assert row is not None
        assert (row.consumer_code, row.department_code) == (DESK, GA)
        assert row.subject_id == app.applicant_id
        assert (
            row.fact == "申请人：双方没有直系血亲和三代以内旁系血亲关系（原需提交「亲属关系证明」）"
        )
        assert row.supporting == {"application": app.id}
        assert app.id in row.purpose
        assert (row.service_item, row.requested_by) == (app.service_code, "clerk-1")
        assert row.delivery is verification.DeliveryState.QUEUED
        part = _part(app)
        assert app.slots[0].status is SlotStatus.WAITING
        assert part["proof"] == {"request_id": request_id, "department": GA, "outcome": None}
        # Asked once: a second run sends nothing new.
        assert request_department_verifications(session, app, consumer=DESK, actor="c") == []


@pytest.mark.parametrize(
    ("outcome", "note", "status"),
    [
        ("confirmed", None, SlotStatus.MET),
        ("not_confirmed", "双方系表兄妹", SlotStatus.FAILED),
        ("cannot_determine", "户籍档案缺失，无法核实", SlotStatus.FAILED),
    ],
)
def test_the_answer_meets_or_fails_the_part(
    db: Database, outcome: str, note: str | None, status: SlotStatus
) -> None:
    with db.session() as session:
        app = _kinship(session)
        (request_id,) = request_department_verifications(
            session, app, consumer=DESK, actor="clerk-1", now=NOW
        )
        sync_department_verifications(session, app, now=NOW)
        assert app.slots[0].status is SlotStatus.WAITING  # nothing answered yet

        _answer(session, request_id, outcome, note)
        sync_department_verifications(session, app, actor="clerk-1", now=NOW)

        assert app.slots[0].status is status
        proof = _part(app)["proof"]
        assert (proof["outcome"], proof["note"], proof["answered_by"]) == (
            outcome,
            note,
            "ga-clerk-7",
        )
        assert app.events[-1].detail["status"] == status.value


def test_past_its_deadline_the_part_waits_and_shows_overdue(db: Database) -> None:
    with db.session() as session:
        app = _kinship(session)
        (request_id,) = request_department_verifications(
            session, app, consumer=DESK, actor="clerk-1", now=NOW
        )
        row = verification.find_request(session, request_id, VerificationSide.OUTBOX)
        assert row is not None
        sync_department_verifications(session, app, now=NOW)
        assert _part(app)["proof"]["overdue"] is False

        sync_department_verifications(session, app, now=row.deadline + dt.timedelta(minutes=1))

        assert app.slots[0].status is SlotStatus.WAITING
        assert _part(app)["proof"]["overdue"] is True
        assert _part(app)["proof"]["deadline"] == row.deadline.isoformat()


def test_a_proof_without_a_known_department_stays_planned_with_a_note(db: Database) -> None:
    with db.session() as session:
        item = add_item(
            session,
            ItemDraft(
                code="T-ODD-1",
                name="某协会出具的证明",
                fact="申请人是会员",
                issuing_department="某行业协会",
                ways=(Way.DEPARTMENT_VERIFICATION,),
                bases=(CIVIL_CODE,),
            ),
            "admin-1",
            "测试",
        )
        app = _planned(session, item.code, item.name)

        assert request_department_verifications(session, app, consumer=DESK, actor="c") == []

        assert app.slots[0].status is SlotStatus.PLANNED
        assert "无法确定「某协会出具的证明」的原开具部门节点" in _part(app)["error"]
