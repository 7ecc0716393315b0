"""Keeping the service-item catalogue: save, read and list items, "outside the list, no proof".

Saving checks every piece of evidence: a proof item must be on the current proof-item list
(清单之外无证明) — known, in the newest published version when one has been published, and
neither abolished nor flagged to abolish; a certificate type must be a well-formed GB/T 36904
type code (the result certificate an approval issues, a known one); a data-sharing question
must exist and get the parameters it needs; an expected answer (``expect``) must name fields and
values the question answers — for a proof item, the question that stands in for it here
(:mod:`.realisations`); a certificate expects none. Items flagged
``to_abolish`` are refused too: the legal-basis check found no law, regulation, State Council
decision or local regulation behind them, and a new demand for such a proof is what the list
exists to stop (existing users are flagged for review instead, :mod:`.adjustment`).
"""

from __future__ import annotations

import re

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from certfree import proofs
from certfree.errors import Conflict, InvalidIdentifier, InvalidInput
from certfree.identifiers import parse_uscc
from certfree.procedures.certificate_types import (
    certificate_type,
    check_certificate_parameters,
    check_type_code,
)
from certfree.procedures.codes import check_code, division_in_code, level_of_division
from certfree.procedures.errors import InvalidServiceItem, OutsideTheList, ServiceItemNotFound
from certfree.procedures.models import ServiceEvidence, ServiceItem, ServiceRequirement
from certfree.procedures.realisations import check_proof_expect
from certfree.procedures.schemas import (
    EvidenceSpec,
    RequirementSpec,
    ServiceItemSpec,
    ServiceItemSummary,
    ServiceItemView,
)
from certfree.procedures.vocab import ITEM_TYPE_NAMES, EvidenceKind, PartyRole, ServiceItemStatus
from certfree.questions import check_evidence_expect, check_evidence_parameters
from certfree.storage import utcnow

__all__ = [
    "ProofList",
    "create_service_item",
    "get_service_item",
    "list_service_items",
    "save_service_item",
    "service_item_row",
    "update_service_item",
]

_NODE_CODE = re.compile(r"\d{6}(?:-[A-Z]{2})?")


class ProofList:
    """The proof-item list as "outside the list, no proof" reads it, loaded once per save."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.version = proofs.current_version(session)
        self.published = (
            {item.code for item in proofs.list_items(session, self.version)}
            if self.version is not None
            else None
        )

    def refusal(self, code: str) -> str | None:
        """Why ``code`` may not be demanded, or None if it may."""
        try:
            item = proofs.get_item(self.session, code)
        except proofs.ProofItemNotFound:
            return "证明事项清单中没有该证明事项"
        if item.status is proofs.ProofItemStatus.ABOLISHED:
            return f"证明事项「{item.name}」已取消（{item.abolition_reason or '已从清单中取消'}）"
        if item.status is proofs.ProofItemStatus.TO_ABOLISH:
            why = item.abolition_reason or "缺少设定依据"
            return f"证明事项「{item.name}」已被标记为拟取消：{why}"
        if self.published is not None and code not in self.published:
            return f"证明事项「{item.name}」尚未发布，不在现行第 {self.version} 版清单中"
        return None


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


def check_spec(session: Session, spec: ServiceItemSpec, proof_list: ProofList) -> ServiceItemSpec:
    """``spec`` with text stripped and the level filled in, or the first fault found."""
    code = check_code(spec.code)
    name = spec.name.strip()
    if not name:
        raise InvalidServiceItem("事项名称不能为空", field="name")
    organ = spec.department_name.strip()
    if not organ:
        raise InvalidServiceItem("实施机构不能为空", field="department_name")
    if spec.node_code and not _NODE_CODE.fullmatch(spec.node_code):
        raise InvalidServiceItem(
            f"节点编码应如 370100 或 370100-MZ，收到「{spec.node_code}」", field="node_code"
        )
    uscc = spec.implementing_org_uscc.strip().upper() if spec.implementing_org_uscc else None
    if uscc:
        try:
            parse_uscc(uscc)
        except InvalidIdentifier as exc:
            raise InvalidServiceItem(
                f"实施机构统一社会信用代码 {uscc} 有误：{exc.message}",
                field="implementing_org_uscc",
            ) from None
    division = (spec.division_code or "").strip() or division_in_code(code)
    level = spec.level
    if division:
        implied = level_of_division(division)
        level = level or implied
    if level is None:
        raise InvalidServiceItem(
            "无法确定事项层级：请给出 level（省级/市级/县级）或行政区划代码", field="level"
        )
    if spec.item_type and spec.item_type not in ITEM_TYPE_NAMES:
        known = "、".join(f"{k} {v}" for k, v in ITEM_TYPE_NAMES.items())
        raise InvalidServiceItem(
            f"事项类型代码应为 {known} 之一，收到「{spec.item_type}」", field="item_type"
        )
    result = (spec.result_cert_type or "").strip() or None
    if result is not None and certificate_type(result) is None:
        raise InvalidServiceItem(
            f"办结签发的电子证照类型 {result} 不在已知证照类型中", field="result_cert_type"
        )
    requirements = _check_requirements(code, spec.requirements, proof_list)
    return spec.model_copy(
        update={
            "code": code,
            "name": name,
            "department_name": organ,
            "implementing_org_uscc": uscc or None,
            "division_code": division or None,
            "level": level,
            "result_cert_type": result,
            "requirements": requirements,
        }
    )


def _check_requirements(
    code: str, requirements: list[RequirementSpec], proof_list: ProofList
) -> list[RequirementSpec]:
    seen: set[str] = set()
    cleaned: list[RequirementSpec] = []
    for i, requirement in enumerate(requirements):
        description = requirement.description.strip()
        where = f"requirements[{i}]"
        if not description:
            raise InvalidServiceItem("申请条件的说明不能为空", field=f"{where}.description")
        if description in seen:
            raise InvalidServiceItem(
                f"申请条件「{description}」重复出现", field=f"{where}.description"
            )
        seen.add(description)
        alternatives: list[list[EvidenceSpec]] = []
        for j, alternative in enumerate(requirement.alternatives):
            at = f"{where}.alternatives[{j}]"
            if not alternative:
                raise InvalidServiceItem(
                    f"申请条件「{description}」的第 {j + 1} 种材料组合为空", field=at
                )
            alternatives.append(
                [
                    _check_evidence(code, description, e, f"{at}[{k}]", proof_list)
                    for k, e in enumerate(alternative)
                ]
            )
        update = {"description": description, "alternatives": alternatives}
        cleaned.append(requirement.model_copy(update=update))
    return cleaned


def _check_evidence(
    code: str, requirement: str, evidence: EvidenceSpec, field: str, proof_list: ProofList
) -> EvidenceSpec:
    """``evidence`` with its expected answer checked, or the fault (named by its field)."""
    try:
        if evidence.kind is EvidenceKind.DATA_QUESTION:
            check_evidence_parameters(evidence.ref, evidence.parameters)
            expect = check_evidence_expect(evidence.ref, evidence.expect)
            return evidence.model_copy(update={"expect": expect})
        if evidence.kind is EvidenceKind.CERTIFICATE_TYPE:
            check_type_code(evidence.ref)
            check_certificate_parameters(evidence.parameters)
            if evidence.expect:
                raise InvalidInput(
                    "电子证照不带期望答复（a certificate type takes no expect）", field="expect"
                )
            return evidence
        if evidence.parameters:
            raise InvalidInput(f"{evidence.kind.zh}不带参数", field="parameters")
        expect = check_proof_expect(evidence.ref, evidence.expect)
    except InvalidInput as exc:
        raise InvalidServiceItem(
            f"政务服务事项 {code} 的申请条件「{requirement}」：{exc.message}",
            field=f"{field}.{exc.field}" if exc.field else field,
        ) from None
    why = proof_list.refusal(evidence.ref)
    if why is not None:
        raise OutsideTheList(
            service_code=code,
            requirement=requirement,
            proof_code=evidence.ref,
            why=why,
            field=field,
        )
    return evidence.model_copy(update={"expect": expect})


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
