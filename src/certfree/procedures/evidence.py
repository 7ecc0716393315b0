"""What a service item may ask for, and how: the desk's view of the requirements.

A desk may ask only for evidence the item lists, and only in a way the proof-item list allows
for it (a data-sharing question only by data sharing, a certificate type only as an
e-certificate); :func:`check_evidence_request` refuses anything else with NotAllowedEvidence.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from certfree import proofs
from certfree.procedures.catalogue import service_item_row
from certfree.procedures.certificate_types import certificate_type
from certfree.procedures.errors import NotAllowedEvidence
from certfree.procedures.models import ServiceEvidence
from certfree.procedures.schemas import (
    AllowedEvidence,
    EvidenceView,
    RequirementView,
    ServiceRequirementsView,
)
from certfree.procedures.vocab import EvidenceKind, PartyRole
from certfree.questions import QuestionNotFound, get_question

__all__ = ["allowed_evidence", "check_evidence_request", "evidence_view", "requirements_of"]


def evidence_view(session: Session, evidence: ServiceEvidence) -> EvidenceView:
    """One stored piece of evidence with its name and the ways it may be met."""
    base = {
        "kind": evidence.kind,
        "ref": evidence.ref,
        "parameters": dict(evidence.parameters),
        "expect": dict(evidence.expect or {}),
    }
    if evidence.kind is EvidenceKind.PROOF_ITEM:
        try:
            item = proofs.get_item(session, evidence.ref)
        except proofs.ProofItemNotFound:
            return EvidenceView(**base, name="（证明事项清单中已无此项）", ways=[], ways_zh=[])
        return EvidenceView(
            **base,
            name=item.name,
            ways=[way.value for way in item.ways],
            ways_zh=[way.label_zh for way in item.ways],
            proof_status=item.status.value,
            excluded_area=item.excluded_area.value if item.excluded_area else None,
            issuing_department=item.issuing_department,
        )
    if evidence.kind is EvidenceKind.CERTIFICATE_TYPE:
        known = certificate_type(evidence.ref)
        way = proofs.Way.E_CERTIFICATE
        return EvidenceView(
            **base,
            name=known.name if known else f"电子证照（类型代码 {evidence.ref}）",
            ways=[way.value],
            ways_zh=[way.label_zh],
            issuing_department=known.department.name_zh if known else None,
        )
    try:
        question = get_question(evidence.ref)
    except QuestionNotFound:
        question = None
    way = proofs.Way.DATA_SHARING
    return EvidenceView(
        **base,
        name=question.title_zh if question else evidence.ref,
        ways=[way.value],
        ways_zh=[way.label_zh],
        issuing_department=question.department.name_zh if question else None,
    )


def requirements_of(session: Session, code: str) -> ServiceRequirementsView:
    """Each requirement of item ``code`` with its alternatives and how each may be met."""
    item = service_item_row(session, code)
    requirements = []
    for requirement in item.requirements:
        party = PartyRole(requirement.party)
        alternatives: dict[int, list[EvidenceView]] = {}
        for evidence in requirement.evidences:
            alternatives.setdefault(evidence.alternative, []).append(
                evidence_view(session, evidence)
            )
        requirements.append(
            RequirementView(
                position=requirement.position,
                description=requirement.description,
                party=party,
                party_zh=party.label_zh,
                party_en=party.label_en,
                alternatives=[alternatives[key] for key in sorted(alternatives)],
            )
        )
    return ServiceRequirementsView(
        code=item.code,
        name=item.name,
        department_name=item.department_name,
        status=item.status,
        requirements=requirements,
    )


def allowed_evidence(session: Session, code: str) -> list[AllowedEvidence]:
    """Every distinct piece of evidence item ``code`` allows, with the requirements it serves."""
    item = service_item_row(session, code)
    found: dict[tuple[EvidenceKind, str], AllowedEvidence] = {}
    for requirement in item.requirements:
        for evidence in requirement.evidences:
            key = (evidence.kind, evidence.ref)
            if key not in found:
                view = evidence_view(session, evidence)
                found[key] = AllowedEvidence(
                    kind=view.kind, ref=view.ref, name=view.name, requirements=[], ways=view.ways
                )
            if requirement.description not in found[key].requirements:
                found[key].requirements.append(requirement.description)
    return list(found.values())


def check_evidence_request(
    session: Session,
    code: str,
    kind: EvidenceKind,
    ref: str,
    way: proofs.Way | None = None,
) -> AllowedEvidence:
    """The allowed evidence a desk asks for; NotAllowedEvidence if item ``code`` does not list
    it, or does not allow it in ``way`` (e.g. a proof asked for on paper that the list says is
    met by data sharing or commitment)."""
    for allowed in allowed_evidence(session, code):
        if allowed.kind is kind and allowed.ref == ref.strip():
            if way is not None and way.value not in allowed.ways:
                raise NotAllowedEvidence(
                    service_code=code,
                    kind=kind.zh,
                    ref=ref,
                    how=f"不得以「{way.label_zh}」方式索要（可用方式：{_ways_zh(allowed.ways)}）",
                )
            return allowed
    raise NotAllowedEvidence(service_code=code, kind=kind.zh, ref=ref)


def _ways_zh(ways: list[str]) -> str:
    return "、".join(proofs.Way(w).label_zh for w in ways) or "无"
