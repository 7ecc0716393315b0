"""Requesting catalog resources for demands: each share type's path, decisions, the lifecycle."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from certfree import catalog
from certfree.catalog import GrantReason, GrantRefused, GrantRevoked, GrantStatus
from certfree.catalog.errors import (
    DuplicateRequest,
    GrantStateConflict,
    InvalidGrantRequest,
)
from certfree.catalog.grants import sharing
from certfree.storage import Database
from factories.grants import NOW, SERVICE_ITEM, grant_for

POLICE = "11370100004297614W"  # provider code of the resources (synthetic)
CIVIL = "370100-MZ"  # the requesting department's code
DAY = dt.timedelta(days=1)


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with Session(db.engine) as open_session:
        yield open_session
        open_session.rollback()


def resource(session: Session, share_type: str, **changes: Any) -> str:
    data = {
        "class_code": "101",
        "name": "户籍人口基本信息",
        "abstract": "常住人口户籍登记",
        "provider": "济南市公安局",
        "provider_code": POLICE,
        "format": "数据库",
        "items": [{"name": "办证日期"}, {"name": "姓名"}, {"name": "户口性质"}],
        "share_type": share_type,
        "share_conditions": "仅用于政务服务身份核验" if share_type == "conditional" else None,
        "unshared_basis": "《中华人民共和国居民身份证法》第六条"
        if share_type == "not_shared"
        else None,
        "share_method": "api",
        "open_type": "not_open",
        "update_cycle": "realtime",
        "released": "2024-03-01",
    } | changes
    return catalog.create_resource(session, catalog.validate_resource(data)).code


def demand(session: Session, department_code: str | None = CIVIL) -> int:
    return catalog.register_demand(
        session,
        {
            "department": "济南市民政局",
            "department_code": department_code,
            "scenario": "婚姻登记",
            "text": "户籍人口信息",
            "items": ["办证日期", "户口性质"],
            "purpose": "核验婚姻登记当事人户籍",
            "legal_basis": "《婚姻登记条例》第五条",
        },
    ).id


def ask(session: Session, code: str, *items: str, **options: Any) -> catalog.Grant:
    return sharing.request_resource(
        session,
        demand_id=options.pop("demand_id", None) or demand(session),
        resource_code=code,
        requested_by="department_admin:mz-1",
        data_items=items,
        now=NOW,
        **options,
    )


def test_unconditional_is_granted_at_once_for_the_items_the_resource_has(
    session: Session,
) -> None:
    code = resource(session, "unconditional")
    grant = ask(session, code, "办证日期", "户口性质", "婚姻状况")
    assert grant.status is GrantStatus.ACTIVE
    assert grant.data_items == ["办证日期", "户口性质"]
    assert (grant.consumer_code, grant.provider_code) == (CIVIL, POLICE)
    assert grant.service_item == "婚姻登记"
    assert grant.purpose == "核验婚姻登记当事人户籍"  # the demand's
    assert "婚姻状况" in (grant.decision_note or "")
    view = catalog.grant_view(grant, NOW)
    assert view["kind"] == "resource"
    requested = view["requested"]
    assert isinstance(requested, dict)
    assert requested["data_items"] == ["办证日期", "婚姻状况", "户口性质"]
    assert view["effective_status_zh"] == "有效"
    used = sharing.check_resource_grant(
        session, consumer=CIVIL, resource_code=code, data_items=["办证日期"], now=NOW
    )
    assert used.id == grant.id
    with pytest.raises(GrantRefused) as caught:
        sharing.check_resource_grant(
            session, consumer=CIVIL, resource_code=code, data_items=["姓名"], now=NOW
        )
    assert caught.value.reason is GrantReason.DATA_ITEM_NOT_ALLOWED
    assert "姓名" in caught.value.message


def test_no_items_requests_the_whole_resource(session: Session) -> None:
    code = resource(session, "unconditional", items=[])
    grant = ask(session, code)
    assert catalog.grant_view(grant)["whole_resource"] is True
    used = sharing.check_resource_grant(
        session, consumer=CIVIL, resource_code=code, data_items=["任何项"], now=NOW
    )
    assert used.id == grant.id
    with pytest.raises(InvalidGrantRequest) as caught:
        ask(session, code, "办证日期")
    assert caught.value.field == "data_items"
    assert "未登记信息项" in caught.value.message


def test_items_split_over_two_grants_are_not_covered_by_either(session: Session) -> None:
    code = resource(session, "unconditional")
    ask(session, code, "姓名")
    ask(session, code, "户口性质")
    with pytest.raises(GrantRefused) as caught:
        sharing.check_resource_grant(
            session, consumer=CIVIL, resource_code=code, data_items=["姓名", "户口性质"], now=NOW
        )
    assert caught.value.reason is GrantReason.DATA_ITEM_NOT_ALLOWED
    assert caught.value.message.endswith("的授权不含数据项 姓名、户口性质")


def test_items_the_resource_lacks_entirely_are_refused_naming_its_items(session: Session) -> None:
    code = resource(session, "unconditional")
    with pytest.raises(InvalidGrantRequest) as caught:
        ask(session, code, "婚姻状况")
    assert caught.value.field == "data_items"
    assert "办证日期、姓名、户口性质" in caught.value.message


def test_not_shared_is_refused_at_once_citing_the_law(session: Session) -> None:
    code = resource(session, "not_shared")
    grant = ask(session, code, "办证日期")
    assert grant.status is GrantStatus.REFUSED
    assert grant.decision_note == "不予共享：《中华人民共和国居民身份证法》第六条"
    assert grant.decided_by == sharing.AUTO_DECIDER
    with pytest.raises(GrantRefused) as caught:
        sharing.check_resource_grant(session, consumer=CIVIL, resource_code=code, now=NOW)
    assert caught.value.reason is GrantReason.NO_GRANT


def test_conditional_waits_and_the_provider_narrows_when_approving(session: Session) -> None:
    code = resource(session, "conditional")
    grant = ask(session, code, "办证日期", "户口性质", "姓名", valid_to=NOW + 365 * DAY)
    assert grant.status is GrantStatus.PENDING
    assert grant.requested is not None
    assert grant.requested["share_conditions"] == "仅用于政务服务身份核验"
    with pytest.raises(GrantRefused) as caught:
        sharing.check_resource_grant(session, consumer=CIVIL, resource_code=code, now=NOW)
    assert caught.value.reason is GrantReason.NO_GRANT

    with pytest.raises(InvalidGrantRequest) as wider:
        sharing.approve_request(
            session, grant.id, decided_by="gaj", data_items=["办证日期", "婚姻状况"]
        )
    assert wider.value.field == "data_items"
    with pytest.raises(InvalidGrantRequest) as longer:
        sharing.approve_request(session, grant.id, decided_by="gaj", valid_to=NOW + 400 * DAY)
    assert longer.value.field == "valid_to"
    approved = sharing.approve_request(
        session,
        grant.id,
        decided_by="department_admin:ga-1",
        data_items=["办证日期"],
        purpose="仅核验婚姻登记当事人身份",
        valid_to=NOW + 90 * DAY,
        note="户口性质不在共享条件内",
        now=NOW,
    )
    assert approved.status is GrantStatus.ACTIVE
    assert approved.data_items == ["办证日期"]
    assert approved.purpose == "仅核验婚姻登记当事人身份"
    assert approved.valid_to == NOW + 90 * DAY
    assert approved.requested is not None
    assert approved.requested["data_items"] == ["办证日期", "姓名", "户口性质"]
    assert (approved.decided_by, approved.decision_note) == (
        "department_admin:ga-1",
        "户口性质不在共享条件内",
    )
    sharing.check_resource_grant(
        session, consumer=CIVIL, resource_code=code, data_items=["办证日期"], now=NOW
    )
    with pytest.raises(GrantRefused) as late:
        sharing.check_resource_grant(
            session, consumer=CIVIL, resource_code=code, now=NOW + 91 * DAY
        )
    assert late.value.reason is GrantReason.EXPIRED
    with pytest.raises(GrantStateConflict):
        sharing.refuse_request(session, grant.id, decided_by="gaj", reason="已批准后不能拒绝")


def test_refusal_needs_reasons_and_is_final(session: Session) -> None:
    code = resource(session, "conditional")
    grant = ask(session, code, "办证日期")
    with pytest.raises(InvalidGrantRequest) as empty:
        sharing.refuse_request(session, grant.id, decided_by="gaj", reason="  ")
    assert empty.value.field == "reason"
    refused = sharing.refuse_request(
        session, grant.id, decided_by="gaj", reason="用途超出共享条件：婚姻登记无需户口性质"
    )
    assert refused.status is GrantStatus.REFUSED
    assert str(catalog.grant_view(refused)["decision_note"]).startswith("用途超出共享条件")
    with pytest.raises(GrantStateConflict):
        sharing.approve_request(session, grant.id, decided_by="gaj")
    with pytest.raises(GrantStateConflict):
        catalog.revoke_grant(session, grant.id, revoked_by="gaj")


def test_one_open_request_per_demand_and_resource(session: Session) -> None:
    code = resource(session, "conditional")
    first = ask(session, code, "办证日期")
    assert first.demand_id is not None
    with pytest.raises(DuplicateRequest):
        ask(session, code, "姓名", demand_id=first.demand_id)
    sharing.refuse_request(session, first.id, decided_by="gaj", reason="材料不全")
    again = ask(session, code, "办证日期", demand_id=first.demand_id)
    assert again.status is GrantStatus.PENDING


def test_a_demand_without_department_code_cannot_request(session: Session) -> None:
    code = resource(session, "unconditional")
    with pytest.raises(InvalidGrantRequest) as caught:
        ask(session, code, demand_id=demand(session, department_code=None))
    assert caught.value.field == "demand_id"


def test_revoke_and_expire_resource_grants(session: Session) -> None:
    code = resource(session, "unconditional")
    kept = ask(session, code, "姓名", valid_to=NOW + DAY)
    catalog.revoke_grant(session, kept.id, revoked_by="gaj", reason="停止使用")
    with pytest.raises(GrantRefused) as revoked:
        sharing.check_resource_grant(session, consumer=CIVIL, resource_code=code, now=NOW)
    assert revoked.value.reason is GrantReason.REVOKED
    other = ask(session, code, "姓名", valid_to=NOW + DAY)
    assert sharing.expire_grants(session, NOW + 2 * DAY) == [other]
    assert other.status is GrantStatus.EXPIRED
    with pytest.raises(GrantRevoked):
        catalog.revoke_grant(session, kept.id, revoked_by="gaj")


def ask_question(session: Session, now: dt.datetime) -> catalog.Grant:
    """The exchange's check of an owns_property question from CIVIL to 370100-ZR."""
    return catalog.check_grant(
        session,
        consumer=CIVIL,
        provider="370100-ZR",
        question="owns_property",
        service_item=SERVICE_ITEM,
        data_items=["property_ownership"],
        now=now,
    )


def test_question_grants_work_beside_resource_grants(session: Session) -> None:
    """The exchange's grants share the table: resource grants never cover a question."""
    code = resource(session, "unconditional", provider_code="370100-ZR")
    ask(session, code, "姓名")
    with pytest.raises(GrantRefused) as none:
        ask_question(session, NOW)
    assert none.value.reason is GrantReason.NO_GRANT
    question = grant_for(session, "owns_property", consumer=CIVIL, valid_to=NOW + DAY)
    found = ask_question(session, NOW)
    assert found.id == question.id
    assert catalog.grant_view(found)["kind"] == "question"
    sharing.expire_grants(session, NOW + 2 * DAY)
    assert question.status is GrantStatus.EXPIRED
    with pytest.raises(GrantRefused) as expired:
        ask_question(session, NOW + 2 * DAY)
    assert expired.value.reason is GrantReason.EXPIRED
