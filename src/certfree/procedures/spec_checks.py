"""The checks a service item passes before it is saved: "outside the list, no proof".

Every piece of evidence is checked: a proof item must be on the current proof-item list
(清单之外无证明) — known, in the newest published version when one has been published, and
neither abolished nor flagged to abolish; a certificate type must be a well-formed GB/T 36904
type code (the result certificate an approval issues, a known one); a data-sharing question
must exist and get the parameters it needs; an expected answer (``expect``) must name fields and
values the question answers — for a proof item, the question that stands in for it here
(:mod:`.realisations`); a certificate expects none. Items flagged ``to_abolish`` are refused
too: the legal-basis check found no law, regulation, State Council decision or local regulation
behind them, and a new demand for such a proof is what the list exists to stop (existing users
are flagged for review instead, :mod:`.adjustment`).
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from certfree import proofs
from certfree.errors import InvalidIdentifier, InvalidInput
from certfree.identifiers import parse_uscc
from certfree.procedures.certificate_types import (
    certificate_type,
    check_certificate_parameters,
    check_type_code,
)
from certfree.procedures.codes import check_code, division_in_code, level_of_division
from certfree.procedures.errors import InvalidServiceItem, OutsideTheList
from certfree.procedures.realisations import check_proof_expect
from certfree.procedures.schemas import EvidenceSpec, RequirementSpec, ServiceItemSpec
from certfree.procedures.vocab import ITEM_TYPE_NAMES, EvidenceKind
from certfree.questions import check_evidence_expect, check_evidence_parameters

__all__ = ["ProofList", "check_spec"]

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
