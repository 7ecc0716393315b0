"""Applications ready to decide: submitted, every requirement met, each party with (or
without) a wallet key, for the service items of the pilot journeys that issue a result."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from certfree import procedures
from certfree.applications import (
    Application,
    ApplicationEvent,
    ApplicationParty,
    AppState,
    EvidenceSlot,
    SlotStatus,
)
from certfree.crypto import Signer
from certfree.nodes import DepartmentKind
from certfree.proofs import Way
from factories.certificates import NOW

# result type → (service code, name, implementing organ, its kind, its node)
ITEMS: dict[str | None, tuple[str, str, str, DepartmentKind, str]] = {
    "111000000000132071001": (
        "T-MARRIAGE",
        "内地居民结婚登记",
        "济南市民政局",
        DepartmentKind.MZ,
        "370100-MZ",
    ),
    "11100000000013709K001": (
        "T-ELDERLY",
        "老年人优待证办理",
        "济南市卫生健康委员会",
        DepartmentKind.WJ,
        "370100-WJ",
    ),
    "111000000000141036001": (
        "T-FIRM",
        "企业设立登记",
        "济南市市场监督管理局",
        DepartmentKind.SJ,
        "370100-SJ",
    ),
    "11100000000013047R002": (
        "T-MOVE",
        "投靠亲属落户",
        "济南市公安局",
        DepartmentKind.GA,
        "370100-GA",
    ),
    None: ("T-NOTICE", "信息告知", "济南市民政局", DepartmentKind.MZ, "370100-MZ"),
}
_ids = itertools.count(1)
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def service_item(session: Session, result_type: str | None) -> procedures.ServiceItem:
    code, name, organ, kind, node = ITEMS[result_type]
    item = session.get(procedures.ServiceItem, code)
    if item is None:
        item = procedures.ServiceItem(
            code=code,
            name=name,
            department_name=organ,
            department_kind=kind,
            node_code=node,
            division_code="370100000000",
            level=procedures.ServiceLevel.CITY,
            updated_by="test",
            promised_days=5,
            result_cert_type=result_type,
        )
        session.add(item)
        session.flush()
    return item


def _tail() -> str:
    n = next(_ids)
    return "".join(_ALPHABET[(n >> (5 * i)) % 32] for i in range(8))


def new_application(
    session: Session, result_type: str | None, **parties: tuple[str, Signer | None]
) -> Application:
    """A submitted application of the item issuing ``result_type``, its one requirement met,
    with ``role=(id number, wallet signer or None)`` parties (``applicant`` first)."""
    item = service_item(session, result_type)
    applicant = parties["applicant"][0]
    app = Application(
        id=f"20261129-{_tail()}",
        service_code=item.code,
        service_name=item.name,
        node_code=item.node_code or "370100",
        applicant_id=applicant,
        state=AppState.SUBMITTED,
        promised_days=5,
        issued=[],
        created_by="applicant",
        created_at=NOW,
        submitted_at=NOW,
        updated_at=NOW,
    )
    app.parties = [
        ApplicationParty(
            role=role,
            subject_id=who,
            holder_jwk=signer.public_jwk() if signer is not None else None,
        )
        for role, (who, signer) in parties.items()
    ]
    part: dict[str, Any] = {
        "kind": "proof_item",
        "ref": "SD-ZM-TEST",
        "name": "已取消的证明",
        "parameters": {},
        "way": Way.CANCELLED.value,
        "node": None,
        "reason": "abolished",
        "status": SlotStatus.MET.value,
        "proof": {"basis": "abolished"},
    }
    app.slots = [
        EvidenceSlot(
            position=0,
            requirement="申请人身份",
            party="applicant",
            subject_id=applicant,
            way=Way.CANCELLED,
            alternative=0,
            status=SlotStatus.MET,
            parts=[part],
        )
    ]
    app.events = [
        ApplicationEvent(at=NOW, actor="applicant", action="start", to_state="draft", detail={})
    ]
    session.add(app)
    session.flush()
    return app
