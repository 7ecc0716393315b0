"""Keeping the service-item catalogue: save, read and list items, "outside the list, no proof".

Saving checks the item first (:mod:`.spec_checks`: every proof on the current proof-item list,
every certificate type and data-sharing question well formed) and writes nothing on a fault.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from certfree.errors import Conflict
from certfree.procedures.certificate_types import certificate_type
from certfree.procedures.errors import InvalidServiceItem, ServiceItemNotFound
from certfree.procedures.models import ServiceEvidence, ServiceItem, ServiceRequirement
from certfree.procedures.schemas import (
    EvidenceSpec,
    RequirementSpec,
    ServiceItemSpec,
    ServiceItemSummary,
    ServiceItemView,
)
from certfree.procedures.spec_checks import ProofList, check_spec
from certfree.procedures.vocab import ITEM_TYPE_NAMES, PartyRole, ServiceItemStatus
from certfree.storage import utcnow

__all__ = [
    "create_service_item",
    "get_service_item",
    "list_service_items",
    "save_service_item",
    "service_item_row",
    "update_service_item",
]


def service_item_row(session: Session, code: str) -> ServiceItem:
    """The stored item; ServiceItemNotFound names an unknown code."""
    item = session.get(ServiceItem, code.strip())
    if item is None:
        raise ServiceItemNotFound(code)
    return item


def get_service_item(session: Session, code: str) -> ServiceItemView:
    return _view(service_item_row(session, code))


def list_service_items(
    session: Session,
    *,
    query: str | None = None,
    status: ServiceItemStatus | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[ServiceItemSummary]]:
    """The total matching and one page of items by code; ``query`` matches code, name, organ."""
    where = []
    if query:
        pattern = f"%{query.strip()}%"
        where.append(
            or_(
                ServiceItem.code.like(pattern),
                ServiceItem.name.like(pattern),
                ServiceItem.department_name.like(pattern),
            )
        )
    if status is not None:
        where.append(ServiceItem.status == status)
    total = session.scalar(select(func.count()).select_from(ServiceItem).where(*where)) or 0
    counts = (
        select(ServiceRequirement.service_code, func.count().label("n"))
        .group_by(ServiceRequirement.service_code)
        .subquery()
    )
    rows = session.execute(
        select(ServiceItem, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.service_code == ServiceItem.code)
        .where(*where)
        .order_by(ServiceItem.code)
        .limit(limit)
        .offset(offset)
    )
    return total, [
        ServiceItemSummary(
            code=item.code,
            name=item.name,
            department_name=item.department_name,
            level=item.level,
            status=item.status,
            requirement_count=int(n),
        )
        for item, n in rows
    ]


def create_service_item(session: Session, spec: ServiceItemSpec, actor: str) -> ServiceItemView:
    """Store a new item; Conflict if the code is taken, the errors of :func:`save_service_item`."""
    if session.get(ServiceItem, spec.code.strip()) is not None:
        raise Conflict(f"政务服务事项 {spec.code.strip()} 已存在；修改请用 PUT", field="code")
    return save_service_item(session, spec, actor)


def update_service_item(
    session: Session, code: str, spec: ServiceItemSpec, actor: str
) -> ServiceItemView:
    """Replace item ``code``; NotFound if absent, InvalidServiceItem if ``spec`` renames it."""
    service_item_row(session, code)
    if spec.code.strip() != code.strip():
        raise InvalidServiceItem(
            f"请求体中的事项编码 {spec.code} 与路径中的 {code} 不一致", field="code"
        )
    return save_service_item(session, spec, actor)


def save_service_item(
    session: Session, spec: ServiceItemSpec, actor: str, *, proof_list: ProofList | None = None
) -> ServiceItemView:
    """Create or replace an item after checking it; saving clears a ``needs_review`` flag.

    Raises OutsideTheList for a proof not on the current list, InvalidServiceItem /
    InvalidInput naming the field for any other fault. Nothing is written on error.
    """
    clean = check_spec(session, spec, proof_list or ProofList(session))
    item = session.get(ServiceItem, clean.code)
    if item is None:
        item = ServiceItem(code=clean.code, created_at=utcnow())
        session.add(item)
    for name in _PLAIN_FIELDS:
        setattr(item, name, getattr(clean, name))
    item.level = clean.level  # type: ignore[assignment]  # check_spec filled it in
    item.status = ServiceItemStatus.ACTIVE
    item.review_reason = None
    item.review_proof_codes = None
    item.updated_at = utcnow()
    item.updated_by = actor
    if item.requirements:
        # Delete the old rows before inserting: (service_code, position) is unique.
        item.requirements.clear()
        session.flush()
    item.requirements.extend(_requirement_rows(clean.requirements))
    session.flush()
    return _view(item)


_PLAIN_FIELDS = (
    "name",
    "department_name",
    "department_kind",
    "node_code",
    "implementing_org_uscc",
    "division_code",
    "item_type",
    "group_name",
    "source_url",
    "promised_days",
    "result_cert_type",
)


def _requirement_rows(requirements: list[RequirementSpec]) -> list[ServiceRequirement]:
    return [
        ServiceRequirement(
            position=position,
            description=requirement.description,
            party=requirement.party.value,
            evidences=[
                ServiceEvidence(
                    alternative=alternative,
                    position=index,
                    kind=evidence.kind,
                    ref=evidence.ref,
                    parameters=dict(evidence.parameters),
                    expect={key: list(values) for key, values in evidence.expect.items()},
                )
                for alternative, evidences in enumerate(requirement.alternatives)
                for index, evidence in enumerate(evidences)
            ],
        )
        for position, requirement in enumerate(requirements)
    ]


def _view(item: ServiceItem) -> ServiceItemView:
    return ServiceItemView(
        code=item.code,
        name=item.name,
        department_name=item.department_name,
        department_kind=item.department_kind,
        node_code=item.node_code,
        implementing_org_uscc=item.implementing_org_uscc,
        division_code=item.division_code,
        level=item.level,
        item_type=item.item_type,
        item_type_name=ITEM_TYPE_NAMES.get(item.item_type or ""),
        group_name=item.group_name,
        source_url=item.source_url,
        status=item.status,
        review_reason=item.review_reason,
        review_proof_codes=list(item.review_proof_codes or []),
        promised_days=item.promised_days,
        result_cert_type=item.result_cert_type,
        result_cert_name=_type_name(item.result_cert_type),
        requirements=[requirement_spec(r) for r in item.requirements],
        updated_at=item.updated_at,
        updated_by=item.updated_by,
    )


def requirement_spec(requirement: ServiceRequirement) -> RequirementSpec:
    """A stored requirement back as its spec (alternatives in order)."""
    alternatives: dict[int, list[EvidenceSpec]] = {}
    for evidence in requirement.evidences:
        alternatives.setdefault(evidence.alternative, []).append(
            EvidenceSpec(
                kind=evidence.kind,
                ref=evidence.ref,
                parameters=evidence.parameters,
                expect=evidence.expect or {},
            )
        )
    return RequirementSpec(
        description=requirement.description,
        party=PartyRole(requirement.party),
        alternatives=[alternatives[key] for key in sorted(alternatives)],
    )


def _type_name(type_code: str | None) -> str | None:
    known = certificate_type(type_code) if type_code else None
    return known.name if known else None
