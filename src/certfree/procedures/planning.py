"""The route resolver: for one application (applicant and other parties) and one service item,
the cheapest way to meet each requirement, and why.

Each requirement is about one party (:class:`~.vocab.PartyRole`): its questions are asked and
its certificates looked for about that party — the 被投靠人's housing about the host, the other
party's marital status about the spouse. A question about two people (``same_household``) is
asked about the applicant and the requirement's party. A requirement whose party was not given
has no route ("缺少当事人：另一方当事人").

Ways are tried in the order of ``certfree.proofs.WAY_PREFERENCE`` — cancelled, data sharing,
e-certificate in the wallet, commitment, department verification, paper — and an evidence's
route is the first way that is open. An alternative (a set of evidence that must all be met)
costs what its dearest evidence costs; a requirement takes its cheapest open alternative
(ties: fewer costly steps in total, then the order the item lists them). Every way tried is
reported with a machine-readable reason and a sentence in Chinese and in English.

The resolver plans; it verifies and sends nothing. It asks a :class:`~.sources.FactSource`
whether a question could be asked (grant, reachable provider), a
:class:`~.sources.CertificateHoldings` which types a party holds, and the commitments domain
whether the commitment route is open (excluded areas, false-commitment credit records).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from certfree import proofs
from certfree.commitments import commitment_refusal
from certfree.procedures.catalogue import service_item_row
from certfree.procedures.certificate_types import certificate_type
from certfree.procedures.models import ServiceEvidence, ServiceItem, ServiceRequirement
from certfree.procedures.realisations import realisation
from certfree.procedures.routes import (
    RANK,
    AlternativeRoute,
    EvidenceRoute,
    RequirementRoute,
    RouteReport,
    RouteStep,
    failures,
    total_rank,
)
from certfree.procedures.routes import step as _step
from certfree.procedures.sources import CertificateHoldings, FactSource
from certfree.procedures.subjects import Subject, parse_parties, parse_subject
from certfree.procedures.vocab import EvidenceKind, PartyRole, SubjectKind
from certfree.questions import ParameterValue, QuestionDef, QuestionNotFound, get_question

__all__ = ["resolve_routes"]

Way = proofs.Way
# The subject a question's identifier parameter takes (GB 11643 ID number, GB 32100 USCC).
_PARAM_KIND = {"resident_id": SubjectKind.PERSON, "uscc": SubjectKind.ORGANISATION}
_KIND_EN = {SubjectKind.PERSON: "person", SubjectKind.ORGANISATION: "organisation"}


def question_args(
    question: QuestionDef,
    parameters: Mapping[str, ParameterValue],
    *,
    subject: str,
    applicant: str,
) -> dict[str, str | int]:
    """The arguments ``question`` is asked with about a requirement's party ``subject``:
    with one identifier parameter, ``subject``; with two (``same_household``), ``applicant``
    then ``subject``; then the service item's fixed ``parameters`` of the question (a yes/no
    as 1/0). The planner and the after-checks both fill them here, so an after-check asks what
    the intake asked; the planner checks first that the parties fit (kinds, two parties)."""
    identifiers = question.party_params
    about = [subject] if len(identifiers) < 2 else [applicant, subject]
    args: dict[str, str | int] = {
        param.name: who for param, who in zip(identifiers, about, strict=False)
    }
    known = {param.name for param in question.params}
    for key, value in parameters.items():
        if key in known:
            args[key] = int(value) if isinstance(value, bool) else value
    return args


def resolve_routes(
    session: Session,
    service_code: str,
    applicant: str,
    *,
    parties: Mapping[str, str] | None = None,
    facts: FactSource,
    holdings: CertificateHoldings,
) -> RouteReport:
    """The route report for ``applicant`` (ID number or USCC), the other ``parties`` (role →
    identifier: ``spouse``, ``host``, ``representative``, ``shareholder``) and item
    ``service_code``.

    Raises ServiceItemNotFound, and InvalidInput for a malformed applicant (field
    ``applicant``), an unknown role (``parties``) or a malformed party (``parties.<role>``).
    """
    item = service_item_row(session, service_code)
    subject = parse_subject(applicant)
    everyone = parse_parties(subject, parties or {})
    resolver = _Resolver(session, item, everyone, facts, holdings)
    routes = [resolver.requirement(r) for r in item.requirements]
    return RouteReport(
        service_code=item.code,
        service_name=item.name,
        applicant=subject.identifier,
        applicant_kind=subject.kind.value,
        parties={role.value: party.identifier for role, party in everyone.items()},
        requirements=routes,
        paper_count=sum(1 for r in routes if r.way is Way.PAPER),
        unmet=[r.description for r in routes if r.way is None],
    )


class _Resolver:
    def __init__(
        self,
        session: Session,
        item: ServiceItem,
        parties: Mapping[PartyRole, Subject],
        facts: FactSource,
        holdings: CertificateHoldings,
    ):
        self.session = session
        self.item = item
        self.parties = parties
        self.facts = facts
        self.holdings = holdings
        self._held: dict[str, frozenset[str]] = {}
        # The party the requirement being resolved is about.
        self.role = PartyRole.APPLICANT

    @property
    def subject(self) -> Subject:
        return self.parties[self.role]

    def held(self, subject: Subject) -> frozenset[str]:
        if subject.identifier not in self._held:
            self._held[subject.identifier] = self.holdings.held_types(subject)
        return self._held[subject.identifier]

    def requirement(self, requirement: ServiceRequirement) -> RequirementRoute:
        description = requirement.description
        self.role = PartyRole(requirement.party)
        about = {"party": self.role, "party_zh": self.role.label_zh}
        if self.role not in self.parties:
            return RequirementRoute(
                description=description,
                **about,
                subject=None,
                way=None,
                way_zh="无可用途径",
                chosen_alternative=None,
                explanation_zh=f"「{description}」：缺少当事人：{self.role.label_zh}",
                explanation_en=f"{description}: missing party: {self.role.label_en}",
                alternatives=[],
            )
        groups: dict[int, list[ServiceEvidence]] = {}
        for evidence in requirement.evidences:
            groups.setdefault(evidence.alternative, []).append(evidence)
        alternatives = [
            self.alternative(index, groups[key]) for index, key in enumerate(sorted(groups))
        ]
        open_ = [a for a in alternatives if a.available]
        if not open_:
            failed = failures(alternatives)
            return RequirementRoute(
                description=description,
                **about,
                subject=self.subject.identifier,
                way=None,
                way_zh="无可用途径",
                chosen_alternative=None,
                explanation_zh=f"「{description}」没有对{self.role.label_zh}可用的途径："
                + "；".join(dict.fromkeys(s.text_zh for s in failed)),
                explanation_en=f"{description}: no way open for the {self.role.label_en}: "
                + "; ".join(dict.fromkeys(s.text_en for s in failed)),
                alternatives=alternatives,
            )
        best = min(open_, key=lambda a: (RANK[a.way], total_rank(a), a.index))  # type: ignore[index]
        assert best.way is not None
        chosen = [s for e in best.evidences for s in e.steps if s.available]
        return RequirementRoute(
            description=description,
            **about,
            subject=self.subject.identifier,
            way=best.way,
            way_zh=best.way.label_zh,
            chosen_alternative=best.index,
            explanation_zh=f"「{description}」：" + "；".join(s.text_zh for s in chosen),
            explanation_en=f"{description}: " + "; ".join(s.text_en for s in chosen),
            alternatives=alternatives,
        )

    def alternative(self, index: int, evidences: list[ServiceEvidence]) -> AlternativeRoute:
        routes = [self.evidence(e) for e in evidences]
        available = all(r.way is not None for r in routes)
        way = max((r.way for r in routes if r.way), key=RANK.__getitem__) if available else None
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

    def data_step(self, name: str, parameters: Mapping[str, ParameterValue]) -> RouteStep:
        way = Way.DATA_SHARING
        try:
            question = get_question(name)
        except QuestionNotFound:
            return _step(
                way, False, "unknown_question", f"没有名为 {name} 的问题", f"no question {name}"
            )
        args = self.question_args(question, parameters)
        if isinstance(args, RouteStep):
            return args
        coverage = self.facts.coverage(
            question, service_code=self.item.code, division=self.item.division_code
        )
        if coverage.available:
            return _step(
                way,
                True,
                "data_available",
                f"可通过 {name} 问题向 {coverage.department} 核验（{coverage.reason_zh}）",
                f"can be checked with {coverage.department} by the question {name} "
                f"({coverage.reason_en})",
                node=coverage.node_code,
                question=name,
                args=args,
            )
        return _step(
            way,
            False,
            coverage.reason,
            f"{coverage.reason_zh}，无法通过 {name} 问题向 {coverage.department} 核验",
            f"{coverage.reason_en}, so {coverage.department} cannot be asked {name}",
            node=coverage.node_code,
            question=name,
            args=args,
        )

    def question_args(
        self, question: QuestionDef, parameters: Mapping[str, ParameterValue]
    ) -> dict[str, str | int] | RouteStep:
        """The question's arguments for the parties of this requirement, or the step saying
        why it cannot be asked of them: one identifier is the requirement's party; two are
        the applicant and the requirement's party (``same_household``: applicant and host)."""
        identifiers = question.party_params
        about = [self.subject]
        if len(identifiers) == 2:
            if self.role is PartyRole.APPLICANT:
                return _step(
                    Way.DATA_SHARING,
                    False,
                    "missing_party",
                    f"{question.title_zh}须在申请人与另一当事人之间核验，本条件只涉及申请人",
                    f"{question.title_en} is asked about the applicant and another party; "
                    "this requirement names only the applicant",
                )
            about = [self.parties[PartyRole.APPLICANT], self.subject]
        for param, subject in zip(identifiers, about, strict=True):
            if _PARAM_KIND[param.type] is not subject.kind:
                kind = _PARAM_KIND[param.type]
                return _step(
                    Way.DATA_SHARING,
                    False,
                    "wrong_subject_kind",
                    f"{question.title_zh}只能对{kind.zh}核验",
                    f"{question.title_en} can be asked only about a {_KIND_EN[kind]}",
                )
        return question_args(
            question,
            parameters,
            subject=self.subject.identifier,
            applicant=self.parties[PartyRole.APPLICANT].identifier,
        )

    def certificate_step(self, type_codes: tuple[str, ...]) -> RouteStep:
        way, who = Way.E_CERTIFICATE, self.role
        held = [code for code in type_codes if code in self.held(self.subject)]
        if held:
            name = _type_name(held[0])
            return _step(
                way,
                True,
                "certificate_held",
                f"由{who.label_zh}出示{name}",
                f"the {who.label_en} shows {name} ({held[0]})",
                certificate_type=held[0],
            )
        if not type_codes:
            return _step(
                way,
                False,
                "no_certificate_type",
                "演示省没有登记可替代该证明的电子证照类型",
                "no e-certificate type stands in for this proof here",
            )
        names = "、".join(_type_name(code) for code in type_codes)
        return _step(
            way,
            False,
            "certificate_not_held",
            f"{who.label_zh}卡包中无{names}",
            f"the {who.label_en}'s wallet holds no {names} ({', '.join(type_codes)})",
        )

    def proof_steps(self, code: str) -> tuple[str, list[RouteStep]]:
        try:
            item = proofs.get_item(self.session, code)
        except proofs.ProofItemNotFound:
            text = f"证明事项 {code} 不在清单中，不得索要"
            english = f"proof {code} is not on the list and may not be demanded"
            return code, [_step(Way.CANCELLED, True, "not_on_list", text, english)]
        if item.status is proofs.ProofItemStatus.ABOLISHED:
            text = f"证明事项「{item.name}」已取消，不得索要"
            english = f"the proof {item.name} ({code}) is abolished and may not be demanded"
            return item.name, [_step(Way.CANCELLED, True, "abolished", text, english)]
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
            area = item.excluded_area
            text = f"该证明事项属于{area.label_zh}领域，不适用告知承诺"
            english = f"the proof is in an area excluded from commitments ({area.value})"
            return _step(way, False, "excluded_area", text, english)
        return None

    def listed_way(self, item: proofs.ProofItemView, way: proofs.Way) -> RouteStep:
        found = realisation(item.code)
        if way is Way.DATA_SHARING and found.question is None:
            text = "演示省没有登记可替代该证明的数据共享问题"
            english = "no data-sharing question stands in for this proof here"
            return _step(way, False, "no_data_question", text, english)
        if way is Way.DATA_SHARING:
            return self.data_step(found.question or "", found.parameters)
        if way is Way.E_CERTIFICATE:
            return self.certificate_step(found.certificate_types)
        if way is Way.COMMITMENT:
            return self.commitment_step(item)
        return _step(way, True, *_plain_way(way, item, self.role))

    def commitment_step(self, item: proofs.ProofItemView) -> RouteStep:
        way, who = Way.COMMITMENT, self.role
        refusal = commitment_refusal(self.session, self.subject.identifier, item.code)
        if refusal is not None:
            english = f"a commitment is not open: {refusal}"
            return _step(way, False, "commitment_refused", refusal, english)
        text = f"{who.label_zh}签署告知承诺书即可，无需提交该证明"
        english = f"the {who.label_en} signs a commitment instead of the proof"
        return _step(way, True, "commitment_open", text, english)


def _plain_way(way: proofs.Way, item: proofs.ProofItemView, who: PartyRole) -> tuple[str, str, str]:
    """(reason, Chinese, English) for a way that is open whenever the list allows it."""
    organ = item.issuing_department
    if way is Way.CANCELLED:
        return (
            "cancelled",
            f"证明「{item.name}」已直接取消，无需提供",
            f"the proof {item.name} is cancelled outright and not needed",
        )
    if way is Way.DEPARTMENT_VERIFICATION:
        return (
            "department_verification",
            f"由窗口向{organ}核验，{who.label_zh}无需提交",
            f"the desk asks {organ} to verify; the {who.label_en} submits nothing",
        )
    return (
        "paper_required",
        f"须由{who.label_zh}向{organ}开具纸质证明并提交",
        f"the {who.label_en} must obtain a paper proof from {organ}",
    )


def _question_title(name: str) -> str:
    try:
        return get_question(name).title_zh
    except QuestionNotFound:
        return name


def _type_name(code: str) -> str:
    known = certificate_type(code)
    return known.name if known else f"类型代码为 {code} 的电子证照"
