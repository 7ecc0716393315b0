"""Grades decide grants: legal basis, the approvers each grade calls for, core data refused, and
every request and decision logged (catalog.grants.grading)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certfree import catalog
from certfree.catalog import Approver, ApproverLevel, GrantStatus, LegalBasis
from certfree.catalog.errors import ApproverNotAllowed, GrantStateConflict, InvalidGrantRequest
from certfree.storage import Database
from factories.grants import NOW, SERVICE_ITEM

POLICE = "370100-GA"  # the providing department
CIVIL = "370100-MZ"  # the requesting department
DEPT = Approver("department_admin:ga-1", ApproverLevel.DEPARTMENT, POLICE)
STRANGER = Approver("department_admin:wj-1", ApproverLevel.DEPARTMENT, "370100-WJ")
BUREAU = Approver("bureau_admin:dsj-1", ApproverLevel.BUREAU)
BASIS = {"legal_basis": "statute", "legal_basis_text": "《婚姻登记条例》第五条"}
ITEMS = [
    {"name": "姓名"},  # personal.name, grade 2
    {"name": "公民身份号码", "classification": "sensitive.identity"},  # grade 3
    {"name": "户籍人口统计汇总", "classification": "important"},  # grade 5
    {"name": "人口安全底数", "classification": "core"},  # grade 6
]


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with Session(db.engine) as open_session:
        yield open_session
        open_session.rollback()


def resource(session: Session, share_type: str = "unconditional") -> str:
    data = {
        "class_code": "101",
        "name": "户籍人口信息",
        "abstract": "常住人口户籍登记",
        "provider": "济南市公安局",
        "provider_code": POLICE,
        "format": "数据库",
        "items": ITEMS,
        "share_type": share_type,
        "share_conditions": "仅用于政务服务" if share_type == "conditional" else None,
        "share_method": "api",
        "open_type": "not_open",
        "update_cycle": "realtime",
        "released": "2024-03-01",
    }
    return catalog.create_resource(session, catalog.validate_resource(data)).code


def ask(session: Session, code: str, *items: str, **options: Any) -> catalog.Grant:
    demand = catalog.register_demand(
        session,
        {
            "department": "济南市民政局",
            "department_code": CIVIL,
            "scenario": "婚姻登记",
            "text": "户籍人口信息",
            "items": list(items) or ["户籍人口信息"],
            "purpose": "核验婚姻登记当事人户籍",
            "legal_basis": "《婚姻登记条例》第五条",
        },
    )
    return catalog.request_resource(
        session,
        demand_id=demand.id,
        resource_code=code,
        requested_by="department_admin:mz-1",
        data_items=items,
        now=NOW,
        **options,
    )


def approve(session: Session, grant: catalog.Grant, by: Approver | None) -> catalog.Grant:
    actor = by.actor if by else "department_admin:ga-1"
    return catalog.approve_request(session, grant.id, decided_by=actor, approver=by, now=NOW)


def grant_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(catalog.Grant)) or 0


def test_general_data_of_an_unconditional_resource_is_still_granted_at_once(
    session: Session,
) -> None:
    grant = ask(session, resource(session), "姓名")
    assert (grant.status, grant.grade, grant.legal_basis) == (GrantStatus.ACTIVE, 2, None)


def test_a_graded_item_needs_a_legal_basis_and_nothing_is_stored_without_one(
    session: Session,
) -> None:
    code = resource(session)
    with pytest.raises(InvalidGrantRequest) as missing:
        ask(session, code, "姓名", "公民身份号码")
    assert missing.value.field == "legal_basis"
    assert "个人信息保护法 第13条" in missing.value.message
    with pytest.raises(InvalidGrantRequest) as unknown:
        ask(session, code, "公民身份号码", legal_basis="because")
    assert unknown.value.field == "legal_basis"
    with pytest.raises(InvalidGrantRequest) as unnamed:
        ask(session, code, "公民身份号码", legal_basis="statute")
    assert unnamed.value.field == "legal_basis_text"
    assert grant_count(session) == 0


def test_an_unconditional_share_type_does_not_bypass_the_grade(session: Session) -> None:
    grant = ask(session, resource(session), "姓名", "公民身份号码", **BASIS)
    view = catalog.grant_view(grant, NOW)
    assert (grant.status, view["grade"], view["approvals_needed"]) == (
        GrantStatus.PENDING, 3, ["department"],
    )  # fmt: skip
    assert (view["legal_basis"], view["legal_basis_zh"]) == ("statute", "法律、行政法规规定")
    assert "3 级" in (grant.decision_note or "")


def test_the_threshold_moves_the_bar_for_general_data(session: Session) -> None:
    code = resource(session)
    assert ask(session, code, "公民身份号码", threshold=4).status is GrantStatus.ACTIVE
    assert ask(session, code, "姓名", threshold=2, legal_basis="consent").status is (
        GrantStatus.PENDING
    )


def test_grade_3_is_approved_by_the_providing_department_alone(session: Session) -> None:
    grant = ask(session, resource(session), "公民身份号码", **BASIS)
    for wrong in (BUREAU, STRANGER, None):
        with pytest.raises(ApproverNotAllowed):
            approve(session, grant, wrong)
    assert grant.status is GrantStatus.PENDING
    assert approve(session, grant, DEPT).status is GrantStatus.ACTIVE


def test_important_data_needs_the_department_and_the_bureau(session: Session) -> None:
    grant = ask(session, resource(session), "户籍人口统计汇总", **BASIS)
    assert catalog.grant_view(grant)["approvals_needed"] == ["department", "bureau"]
    with pytest.raises(ApproverNotAllowed):
        approve(session, grant, STRANGER)
    assert approve(session, grant, DEPT).status is GrantStatus.PENDING  # one of two
    with pytest.raises(GrantStateConflict):
        approve(session, grant, DEPT)
    assert approve(session, grant, BUREAU).status is GrantStatus.ACTIVE
    assert [a["level"] for a in grant.approvals or []] == ["department", "bureau"]
    log = [catalog.decision_view(d) for d in catalog.list_decisions(session, grant_id=grant.id)]
    assert [(d["action"], d["level"]) for d in log] == [
        ("requested", "department"),
        ("approved", "department"),
        ("approved", "bureau"),
        ("granted", "bureau"),
    ]
    assert {(d["grade"], d["legal_basis"], tuple(d["data_items"])) for d in log} == {
        (5, "statute", ("户籍人口统计汇总",))
    }
    assert log[1]["organisation"] == POLICE


def test_core_data_is_refused_at_once_unless_the_bureau_records_its_authorisation(
    session: Session,
) -> None:
    grant = ask(session, resource(session), "姓名", "人口安全底数", **BASIS)
    assert grant.status is GrantStatus.REFUSED
    assert "数据安全法 第21条" in (grant.decision_note or "")
    assert "人口安全底数（6级）" in (grant.decision_note or "")
    with pytest.raises(ApproverNotAllowed):
        catalog.override_core(session, grant, DEPT, document="某文件")
    with pytest.raises(InvalidGrantRequest) as no_document:
        catalog.override_core(session, grant, BUREAU, document=" ")
    assert no_document.value.field == "document"
    reopened = catalog.override_core(session, grant, BUREAU, document="鲁数发〔2026〕1号")
    assert reopened.status is GrantStatus.PENDING
    assert approve(session, reopened, DEPT).status is GrantStatus.ACTIVE
    actions = [d.action for d in catalog.list_decisions(session, grant_id=grant.id)]
    assert actions == ["requested", "refused", "override", "approved", "granted"]


def test_a_graded_request_is_refused_only_by_its_provider_or_the_bureau(session: Session) -> None:
    grant = ask(session, resource(session, "conditional"), "公民身份号码", **BASIS)
    with pytest.raises(ApproverNotAllowed):
        catalog.refuse_request(
            session, grant.id, decided_by=STRANGER.actor, reason="无", approver=STRANGER
        )
    refused = catalog.refuse_request(
        session, grant.id, decided_by=BUREAU.actor, reason="用途不明", approver=BUREAU
    )
    assert refused.status is GrantStatus.REFUSED


def test_question_grants_follow_the_same_rules(session: Session) -> None:
    values: dict[str, Any] = {
        "consumer": "370200", "provider": CIVIL, "question": "marital_status",
        "service_item": SERVICE_ITEM, "purpose": "核验婚姻状况",
        "data_items": ["marital_status"], "created_by": "bureau_admin:dsj-1",
    }  # fmt: skip
    by_bureau = catalog.create_grant(session, **values, approver=BUREAU)
    assert (by_bureau.status, by_bureau.grade, by_bureau.legal_basis) == (
        GrantStatus.PENDING, 3, "consent",  # no exemption cited: the subject's consent
    )  # fmt: skip
    with pytest.raises(ApproverNotAllowed):
        catalog.approve_question_grant(session, by_bureau.id, STRANGER)
    civil = Approver("department_admin:mz-1", ApproverLevel.DEPARTMENT, CIVIL)
    assert catalog.approve_question_grant(session, by_bureau.id, civil).status is (
        GrantStatus.ACTIVE
    )
    exempt = catalog.create_grant(session, **values, consent_exempt_basis="《婚姻登记条例》第五条")
    assert (exempt.status, exempt.legal_basis) == (GrantStatus.ACTIVE, "statutory_duty")
    with pytest.raises(InvalidGrantRequest) as both:
        catalog.create_grant(session, **values, consent_exempt_basis="某条", legal_basis="consent")
    assert both.value.field == "legal_basis"


def test_receivers_of_a_field_are_the_grants_in_force_naming_it(session: Session) -> None:
    code = resource(session, "conditional")
    whole = ask(session, code, **BASIS)  # the whole resource: every item, core included
    assert whole.status is GrantStatus.REFUSED
    named = ask(session, code, "公民身份号码", **BASIS)
    approve(session, named, DEPT)
    other = ask(session, code, "姓名")
    approve(session, other, None)
    receivers = catalog.receivers_of(session, "公民身份号码", resource_code=code, now=NOW)
    assert [g.id for g in receivers] == [named.id]
    catalog.revoke_grant(session, named.id, revoked_by="department_admin:ga-1")
    assert catalog.receivers_of(session, "公民身份号码", resource_code=code, now=NOW) == []


def test_the_docs_list_every_legal_basis_with_its_words() -> None:
    docs = (Path(__file__).parents[3] / "docs" / "governance.md").read_text("utf-8")
    section = docs.split("## Grades decide", 1)[1].split("\n## ", 1)[0]
    for basis in LegalBasis:
        assert f"| `{basis.value}` | {basis.zh} | {basis.en} |" in section
