"""The route resolver: for one applicant and one service item, the cheapest way to meet each
requirement, and why.

Ways are tried in the order of ``certfree.proofs.WAY_PREFERENCE`` — cancelled, data sharing,
e-certificate in the wallet, commitment, department verification, paper — and an evidence's
route is the first way that is open to this applicant. An alternative (a set of evidence that
must all be met) costs what its dearest evidence costs; a requirement takes its cheapest open
alternative (ties: fewer costly steps in total, then the order the item lists them). Every
way tried is reported with a machine-readable reason and a sentence in Chinese.

The resolver plans; it verifies nothing. It asks a :class:`~.sources.FactSource` whether a
question could be answered and a :class:`~.sources.CertificateHoldings` which types the
applicant holds — by default the demo-province tables (:mod:`.sources`) — and the commitments
domain whether the commitment route is open (excluded areas, false-commitment credit records).
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.orm import Session

from certfree import proofs
from certfree.commitments import commitment_refusal
from certfree.procedures.catalogue import service_item_row
from certfree.procedures.certificate_types import certificate_type
from certfree.procedures.models import ServiceEvidence
from certfree.procedures.realisations import realisation
from certfree.procedures.sources import (
    CertificateHoldings,
    FactSource,
    TableCertificateHoldings,
    TableFactSource,
)
from certfree.procedures.subjects import Subject, parse_subject
from certfree.procedures.vocab import EvidenceKind
from certfree.questions import ParameterValue, QuestionNotFound, get_question

__all__ = [
    "AlternativeRoute",
    "EvidenceRoute",
    "RequirementRoute",
    "RouteReport",
    "RouteStep",
    "resolve_routes",
]

Way = proofs.Way
_RANK = {way: rank for rank, way in enumerate(proofs.WAY_PREFERENCE)}


class RouteStep(BaseModel):
    """One way tried for one piece of evidence."""

    way: Way
    way_zh: str
    available: bool
    reason: str  # machine-readable: data_available, certificate_not_held, excluded_area …
    text_zh: str
    node_code: str | None = None


class EvidenceRoute(BaseModel):
    kind: EvidenceKind
    ref: str
    name: str
    way: Way | None
    steps: list[RouteStep]


class AlternativeRoute(BaseModel):
    index: int
    available: bool
    way: Way | None  # the dearest way among its evidence
    evidences: list[EvidenceRoute]


class RequirementRoute(BaseModel):
    description: str
    way: Way | None
    way_zh: str
    chosen_alternative: int | None
    explanation_zh: str
    alternatives: list[AlternativeRoute]


class RouteReport(BaseModel):
    service_code: str
    service_name: str
    applicant: str
    applicant_kind: str
    requirements: list[RequirementRoute]
    paper_count: int  # requirements that still need a paper proof
    unmet: list[str]  # requirements with no open route

    @property
    def paperless(self) -> bool:
        return self.paper_count == 0 and not self.unmet


def resolve_routes(
    session: Session,
    service_code: str,
    applicant: str,
    *,
    facts: FactSource | None = None,
    wallet: CertificateHoldings | None = None,
) -> RouteReport:
    """The route report for ``applicant`` (ID number or USCC) and item ``service_code``.

    Raises ServiceItemNotFound and InvalidInput (field ``applicant``) for a malformed applicant.
    """
    item = service_item_row(session, service_code)
    subject = parse_subject(applicant)
    resolver = _Resolver(
        session,
        subject,
        facts or TableFactSource(session),
        wallet or TableCertificateHoldings(session),
    )
    routes = [resolver.requirement(r.description, r.evidences) for r in item.requirements]
    return RouteReport(
        service_code=item.code,
        service_name=item.name,
        applicant=subject.identifier,
        applicant_kind=subject.kind.value,
        requirements=routes,
        paper_count=sum(1 for r in routes if r.way is Way.PAPER),
        unmet=[r.description for r in routes if r.way is None],
    )


class _Resolver:
    def __init__(
        self, session: Session, subject: Subject, facts: FactSource, wallet: CertificateHoldings
    ):
        self.session = session
        self.subject = subject
        self.facts = facts
        self.wallet = wallet
        self._held: frozenset[str] | None = None

    @property
    def held(self) -> frozenset[str]:
        if self._held is None:
            self._held = self.wallet.held_types(self.subject)
        return self._held

    def requirement(self, description: str, evidences: list[ServiceEvidence]) -> RequirementRoute:
        groups: dict[int, list[ServiceEvidence]] = {}
        for evidence in evidences:
            groups.setdefault(evidence.alternative, []).append(evidence)
        alternatives = [
            self.alternative(index, groups[key]) for index, key in enumerate(sorted(groups))
        ]
        open_ = [a for a in alternatives if a.available]
        if not open_:
            return RequirementRoute(
                description=description,
                way=None,
                way_zh="无可用途径",
                chosen_alternative=None,
                explanation_zh=f"「{description}」没有对该申请人可用的途径："
                + "；".join(dict.fromkeys(_failures(alternatives))),
                alternatives=alternatives,
            )
        best = min(open_, key=lambda a: (_RANK[a.way], _total(a), a.index))  # type: ignore[index]
        assert best.way is not None
        chosen = "；".join(s.text_zh for e in best.evidences for s in e.steps if s.available)
        return RequirementRoute(
            description=description,
            way=best.way,
            way_zh=best.way.label_zh,
            chosen_alternative=best.index,
            explanation_zh=f"「{description}」：{chosen}",
            alternatives=alternatives,
        )

    def alternative(self, index: int, evidences: list[ServiceEvidence]) -> AlternativeRoute:
        routes = [self.evidence(e) for e in evidences]
        available = all(r.way is not None for r in routes)
        way = max((r.way for r in routes if r.way), key=_RANK.__getitem__) if available else None
        return AlternativeRoute(index=index, available=available, way=way, evidences=routes)

    def evidence(self, evidence: ServiceEvidence) -> EvidenceRoute:
        if evidence.kind is EvidenceKind.DATA_QUESTION:
            name = _question_title(evidence.ref)
            steps = [self.data_step(evidence.ref, evidence.parameters)]
        elif evidence.kind is EvidenceKind.CERTIFICATE_TYPE:
            known = certificate_type(evidence.ref)
            name = known.name if known else f"电子证照（类型代码 {evidence.ref}）"
            steps = [self.certificate_step((evidence.ref,))]
        else:
            name, steps = self.proof_steps(evidence.ref)
        way = next((s.way for s in steps if s.available), None)
        return EvidenceRoute(kind=evidence.kind, ref=evidence.ref, name=name, way=way, steps=steps)

    def data_step(self, name: str, parameters: dict[str, ParameterValue]) -> RouteStep:
        try:
            question = get_question(name)
        except QuestionNotFound:
            return _step(Way.DATA_SHARING, False, "unknown_question", f"没有名为 {name} 的问题")
        coverage = self.facts.coverage(self.subject, question, parameters)
        if coverage.available:
            text = f"可通过 {name} 问题向 {coverage.department} 核验（{coverage.reason_zh}）"
            return _step(Way.DATA_SHARING, True, "data_available", text, coverage.node_code)
        text = f"{coverage.reason_zh}，无法通过 {name} 问题向 {coverage.department} 核验"
        return _step(Way.DATA_SHARING, False, "data_unavailable", text, coverage.node_code)

    def certificate_step(self, type_codes: tuple[str, ...]) -> RouteStep:
        names = "、".join(_type_name(code) for code in type_codes)
        held = [code for code in type_codes if code in self.held]
        if held:
            return _step(
                Way.E_CERTIFICATE, True, "certificate_held", f"申请人卡包中有{_type_name(held[0])}"
            )
        if not type_codes:
            text = "演示省没有登记可替代该证明的电子证照类型"
            return _step(Way.E_CERTIFICATE, False, "no_certificate_type", text)
        return _step(Way.E_CERTIFICATE, False, "certificate_not_held", f"申请人卡包中无{names}")

    def proof_steps(self, code: str) -> tuple[str, list[RouteStep]]:
        try:
            item = proofs.get_item(self.session, code)
        except proofs.ProofItemNotFound:
            text = f"证明事项 {code} 不在清单中，不得索要"
            return code, [_step(Way.CANCELLED, True, "not_on_list", text)]
        if item.status is proofs.ProofItemStatus.ABOLISHED:
            text = f"证明事项「{item.name}」已取消，不得索要"
            return item.name, [_step(Way.CANCELLED, True, "abolished", text)]
        steps: list[RouteStep] = []
        for way in proofs.WAY_PREFERENCE:
            step = self.proof_way(item, way)
            if step is not None:
                steps.append(step)
                if step.available:
                    break
        return item.name, steps

    def proof_way(self, item: proofs.ProofItemView, way: proofs.Way) -> RouteStep | None:
        if way in item.ways:
            return self.listed_way(item, way)
        if way is Way.COMMITMENT and item.excluded_area is not None:
            text = f"该证明事项属于{item.excluded_area.label_zh}领域，不适用告知承诺"
            return _step(way, False, "excluded_area", text)
        return None

    def listed_way(self, item: proofs.ProofItemView, way: proofs.Way) -> RouteStep:
        found = realisation(item.code)
        step: RouteStep
        match way:
            case Way.CANCELLED:
                step = _step(way, True, "cancelled", f"证明「{item.name}」已直接取消，无需提供")
            case Way.DATA_SHARING if found.question is None:
                text = "演示省没有登记可替代该证明的数据共享问题"
                step = _step(way, False, "no_data_question", text)
            case Way.DATA_SHARING:
                step = self.data_step(found.question or "", found.parameters)
            case Way.E_CERTIFICATE:
                step = self.certificate_step(found.certificate_types)
            case Way.COMMITMENT:
                refusal = commitment_refusal(self.session, self.subject.identifier, item.code)
                text = refusal or "申请人签署告知承诺书即可，无需提交该证明"
                reason = "commitment_refused" if refusal else "commitment_open"
                step = _step(way, refusal is None, reason, text)
            case Way.DEPARTMENT_VERIFICATION:
                text = f"由窗口向{item.issuing_department}核验，申请人无需提交"
                step = _step(way, True, "department_verification", text)
            case _:
                text = f"须由申请人向{item.issuing_department}开具纸质证明并提交"
                step = _step(way, True, "paper_required", text)
        return step


def _step(
    way: proofs.Way, available: bool, reason: str, text: str, node: str | None = None
) -> RouteStep:
    return RouteStep(
        way=way,
        way_zh=way.label_zh,
        available=available,
        reason=reason,
        text_zh=f"{way.label_zh}：{text}",
        node_code=node,
    )


def _question_title(name: str) -> str:
    try:
        return get_question(name).title_zh
    except QuestionNotFound:
        return name


def _type_name(code: str) -> str:
    known = certificate_type(code)
    return known.name if known else f"类型代码为 {code} 的电子证照"


def _total(alternative: AlternativeRoute) -> int:
    return sum(_RANK[e.way] for e in alternative.evidences if e.way is not None)


def _failures(alternatives: list[AlternativeRoute]) -> list[str]:
    return [
        step.text_zh
        for alternative in alternatives
        for evidence in alternative.evidences
        if evidence.way is None
        for step in evidence.steps
    ]
