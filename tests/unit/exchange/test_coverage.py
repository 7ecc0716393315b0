"""What a node could ask, known without sending anything: its grants at the department nodes of
the service item's region or above, and whether each provider can be reached."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from certfree.catalog import create_grant
from certfree.exchange.questions.coverage import ExchangeFactSource, provider_candidates
from certfree.nodes import DepartmentKind, Node, NodeStatus
from certfree.questions import get_question
from certfree.storage import Database

MARITAL = get_question("marital_status")
ITEM = "371A0101000000-370102000000-000-113701000100000206-1-00"  # a 历下区 item
COUNTY = "370102000000"


@pytest.fixture
def session(db: Database, demo_registry: None) -> Iterator[Session]:
    with db.session() as session:
        yield session


def _grant(session: Session, provider: str, consumer: str = "370100") -> int:
    return create_grant(
        session,
        consumer=consumer,
        provider=provider,
        question=MARITAL.name,
        service_item=ITEM,
        purpose="办理结婚登记时核验婚姻状况",
        data_items=MARITAL.core_data_items,
        created_by="tester",
    ).id


def _activate(session: Session, code: str) -> None:
    node = session.get(Node, code)
    assert node is not None
    node.status = NodeStatus.ACTIVE
    node.endpoint_url = f"https://{code.lower()}.nodes.example.test"
    session.flush()


def test_providers_are_tried_from_the_items_region_up_to_the_province() -> None:
    assert provider_candidates(DepartmentKind.MZ, COUNTY, "370100") == [
        "370102-MZ",
        "370100-MZ",
        "370000-MZ",
    ]
    assert provider_candidates(DepartmentKind.GA, "370100000000", "370100") == [
        "370100-GA",
        "370000-GA",
    ]
    assert provider_candidates(DepartmentKind.SW, None, "370200") == ["370000-SW"]


def test_a_grant_at_a_reachable_provider_covers_the_question(session: Session) -> None:
    grant = _grant(session, "370100-MZ")
    _activate(session, "370100-MZ")
    found = ExchangeFactSource(session, "370100").coverage(
        MARITAL, service_code=ITEM, division=COUNTY
    )
    assert (found.available, found.node_code, found.department) == (
        True,
        "370100-MZ",
        "济南市民政局",
    )
    assert found.reason_zh == f"共享授权 #{grant}，节点 370100-MZ 已登记地址"
    assert found.reason_en == f"sharing grant #{grant}, node 370100-MZ has a registered endpoint"


def test_without_a_grant_nothing_is_covered_and_the_nearest_refusal_is_named(
    session: Session,
) -> None:
    _activate(session, "370100-MZ")
    _grant(session, "370100-MZ", consumer="370200")  # another node's grant covers nobody else
    found = ExchangeFactSource(session, "370100").coverage(
        MARITAL, service_code=ITEM, division=COUNTY
    )
    assert (found.available, found.reason, found.node_code) == (False, "no_grant", "370102-MZ")
    assert "370100 → 370102-MZ 的问题 marital_status 没有任何授权" in found.reason_zh
    assert found.reason_en.startswith("no sharing grant of 370102-MZ covers marital_status")


def test_a_grant_for_another_service_item_does_not_cover(session: Session) -> None:
    _activate(session, "370100-MZ")
    _grant(session, "370100-MZ")
    found = ExchangeFactSource(session, "370100").coverage(
        MARITAL, service_code="ANOTHER-ITEM", division=COUNTY
    )
    assert not found.available
    assert found.reason == "wrong_purpose"


def test_a_granted_provider_that_cannot_be_reached_is_named_unless_hosted(
    session: Session,
) -> None:
    _grant(session, "370100-MZ")  # registered by the demo, but pending and without an address
    down = ExchangeFactSource(session, "370100").coverage(
        MARITAL, service_code=ITEM, division=COUNTY
    )
    assert (down.available, down.reason, down.node_code) == (
        False,
        "provider_unreachable",
        "370100-MZ",
    )
    assert down.reason_zh == "节点 370100-MZ 未在节点注册表中启用并登记地址，本节点也不代其答复"
    hosted = ExchangeFactSource(session, "370100", hosted={"370100-MZ"}).coverage(
        MARITAL, service_code=ITEM, division=COUNTY
    )
    assert (hosted.available, hosted.node_code) == (True, "370100-MZ")
    assert hosted.reason_en.endswith("answered by this node for the department")


def test_the_province_answers_when_the_city_cannot(session: Session) -> None:
    _grant(session, "370100-MZ")
    _grant(session, "370000-MZ")
    _activate(session, "370000-MZ")
    found = ExchangeFactSource(session, "370100").coverage(
        MARITAL, service_code=ITEM, division=COUNTY
    )
    assert (found.available, found.node_code, found.department) == (
        True,
        "370000-MZ",
        "山东省民政厅",
    )
