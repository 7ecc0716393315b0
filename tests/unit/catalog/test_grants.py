"""Sharing grants: recording, revoking, listing, and which grant covers a request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from certfree.catalog import (
    GrantReason,
    GrantRefused,
    GrantRevoked,
    GrantStatus,
    check_grant,
    check_question_grant,
    grant_view,
    list_grants,
    revoke_grant,
)
from certfree.catalog.errors import GrantNotFound
from certfree.demo.pilot_grants import demo_question_uses, load_demo_grants
from certfree.errors import InvalidInput
from certfree.storage import Database
from factories.grants import CONSUMER, NOW, SERVICE_ITEM, grant_for


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with Session(db.engine) as open_session:
        yield open_session
        open_session.rollback()


def check(session: Session, *data_items: str, question: str = "owns_property") -> int:
    return check_grant(
        session,
        consumer=CONSUMER,
        provider="370100-ZR",
        question=question,
        service_item=SERVICE_ITEM,
        data_items=data_items or ("property_ownership",),
        now=NOW,
    ).id


def test_the_newest_grant_that_allows_every_data_item_covers(session: Session) -> None:
    narrow = grant_for(session, "owns_property")
    wide = grant_for(session, "owns_property", data_items=["property_ownership", "property_count"])
    assert check(session) == wide.id
    assert check(session, "property_ownership", "property_count") == wide.id
    revoke_grant(session, wide.id, revoked_by="bureau", reason="范围过宽")
    assert check(session) == narrow.id
    with pytest.raises(GrantRefused) as caught:
        check(session, "property_ownership", "property_count")
    assert caught.value.reason is GrantReason.DATA_ITEM_NOT_ALLOWED
    assert "property_count" in caught.value.message


def test_the_providers_check_on_a_connection_reads_the_grants_anew(session: Session) -> None:
    """The exchange's hot path (no ORM objects) names the same grant and the same reasons,
    and a revocation refuses the very next question."""
    grant = grant_for(session, "owns_property")

    def check_terms(*data_items: str) -> int:
        return check_question_grant(
            session.connection(),
            consumer=CONSUMER,
            provider="370100-ZR",
            question="owns_property",
            service_item=SERVICE_ITEM,
            data_items=data_items or ("property_ownership",),
            now=NOW,
        ).id

    assert check_terms() == check(session) == grant.id
    with pytest.raises(GrantRefused) as wider:
        check_terms("property_ownership", "property_count")
    assert wider.value.reason is GrantReason.DATA_ITEM_NOT_ALLOWED
    revoke_grant(session, grant.id, revoked_by="bureau")
    with pytest.raises(GrantRefused) as revoked:
        check_terms()
    assert revoked.value.reason is GrantReason.REVOKED


def test_a_grant_ending_now_no_longer_covers(session: Session) -> None:
    grant_for(session, "owns_property", valid_to=NOW)
    with pytest.raises(GrantRefused) as caught:
        check(session)
    assert caught.value.reason is GrantReason.EXPIRED


def test_revoking_twice_and_unknown_grants(session: Session) -> None:
    grant = grant_for(session, "owns_property")
    revoked = revoke_grant(session, grant.id, revoked_by="bureau")
    assert revoked.status is GrantStatus.REVOKED
    assert grant_view(revoked)["status_zh"] == "已撤销"
    with pytest.raises(GrantRevoked):
        revoke_grant(session, grant.id, revoked_by="bureau")
    with pytest.raises(GrantNotFound):
        revoke_grant(session, 999_999, revoked_by="bureau")


def test_list_filters(session: Session) -> None:
    a = grant_for(session, "owns_property")
    b = grant_for(session, "marital_status", consumer="370200")
    revoke_grant(session, a.id, revoked_by="bureau")
    assert [g.id for g in list_grants(session)] == [a.id, b.id]
    assert [g.id for g in list_grants(session, consumer="370200")] == [b.id]
    assert [g.id for g in list_grants(session, provider="370100-ZR")] == [a.id]
    assert [g.id for g in list_grants(session, include_revoked=False)] == [b.id]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"data_items": []}, "data_items"),
        ({"valid_to": NOW - dt.timedelta(days=2)}, "valid_to"),
        ({"consumer": " "}, "consumer"),
    ],
)
def test_bad_grants_name_the_field(
    session: Session, changes: dict[str, object], field: str
) -> None:
    from certfree.catalog import create_grant  # noqa: PLC0415

    values: dict[str, object] = {
        "consumer": CONSUMER,
        "provider": "370100-ZR",
        "question": "owns_property",
        "service_item": SERVICE_ITEM,
        "purpose": "测试",
        "data_items": ["property_ownership"],
        "created_by": "test",
        "valid_from": NOW - dt.timedelta(days=1),
    } | changes
    with pytest.raises(InvalidInput) as caught:
        create_grant(session, **values)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_demo_grants_cover_the_demo_service_items_once(session: Session) -> None:
    uses = demo_question_uses()
    assert ("371A0101000000-370100000000-000-113701000100000206-1-00", "内地居民结婚登记",
            "marital_status") in uses  # fmt: skip
    providers = [
        *(f"370100-{kind}" for kind in ("MZ", "GA", "ZR", "SW", "RS", "SJ")),
        "370100",
    ]
    created = load_demo_grants(session, ["370100", "370200"], providers)
    assert {(g.provider_code, g.question) for g in created} >= {
        ("370100-MZ", "marital_status"),
        ("370100-GA", "same_household"),
        ("370100-SW", "tax_clear"),
        ("370100-ZR", "owns_property"),
        ("370100-GA", "age_at_least"),
        ("370100-RS", "social_insurance_enrolled"),
        ("370100-SJ", "firm_registered"),
        ("370100-SW", "personal_tax_clear"),
    }
    assert len(created) == 2 * len(uses)
    assert all(g.data_items and g.consent_exempt_basis is None for g in created)
    assert load_demo_grants(session, ["370100", "370200"], providers) == []
