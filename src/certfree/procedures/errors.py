"""Errors of the service-item catalogue; each names the service item concerned::

ProceduresError (CertfreeError)
├── ServiceItemNotFound (NotFound)        404 no service item with that code
├── InvalidServiceItem (InvalidInput)     422 a field of a service item is wrong
│   └── OutsideTheList                    422 demands a proof not on the current list
├── NotAllowedEvidence (InvalidInput)     422 a desk asked for evidence the item does not allow
└── ServiceImportRejected (RowsRejected)  422 rows of an imported file are wrong; nothing stored
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from certfree.errors import CertfreeError, InvalidInput, NotFound
from certfree.tabular import RowsRejected

if TYPE_CHECKING:
    from certfree.procedures.importing import ServiceItemImportReport

__all__ = [
    "InvalidServiceItem",
    "NotAllowedEvidence",
    "OutsideTheList",
    "ProceduresError",
    "ServiceImportRejected",
    "ServiceItemNotFound",
]


class ProceduresError(CertfreeError):
    """Base of the errors raised by ``certfree.procedures``."""


class ServiceItemNotFound(ProceduresError, NotFound):
    slug = "service-item-not-found"
    title = "Service item not found"
    title_zh = "政务服务事项不存在"

    def __init__(self, code: str) -> None:
        super().__init__(
            f"没有编码为 {code} 的政务服务事项；用 GET /api/v1/procedures 查看已登记的事项",
            field="code",
        )
        self.code = code


class InvalidServiceItem(ProceduresError, InvalidInput):
    slug = "invalid-service-item"
    title = "Invalid service item"
    title_zh = "政务服务事项内容有误"


class OutsideTheList(InvalidServiceItem):
    """清单之外无证明: the item demands a proof that is unknown, abolished or to be abolished.

    ``field`` locates the evidence (``requirements[0].alternatives[1][0]``); the message names
    the service item, the requirement and the proof item.
    """

    slug = "outside-the-list"
    title = "Proof not on the current proof-item list"
    title_zh = "清单之外无证明"

    def __init__(
        self, *, service_code: str, requirement: str, proof_code: str, why: str, field: str
    ) -> None:
        super().__init__(
            f"政务服务事项 {service_code} 的申请条件「{requirement}」要求证明事项 {proof_code}，"
            f"但{why}；清单之外无证明，请改用数据共享、电子证照或清单内的证明事项",
            field=field,
        )
        self.service_code = service_code
        self.requirement = requirement
        self.proof_code = proof_code

    def problem_extensions(self) -> dict[str, Any]:
        return {
            "service_code": self.service_code,
            "requirement": self.requirement,
            "proof_code": self.proof_code,
        }


class NotAllowedEvidence(ProceduresError, InvalidInput):
    """A desk asked an applicant for evidence the service item does not list."""

    slug = "evidence-not-allowed"
    title = "Evidence not allowed for this service item"
    title_zh = "该事项不允许索要此材料"

    def __init__(self, *, service_code: str, kind: str, ref: str, how: str | None = None) -> None:
        what = f"的{kind} {ref} {how}" if how else f"的申请条件中没有{kind} {ref}，窗口不得索要"
        super().__init__(
            f"政务服务事项 {service_code}{what}；"
            f"可索要的材料及方式见 GET /api/v1/procedures/{service_code}/requirements",
            field="evidence",
        )
        self.service_code = service_code
        self.kind = kind
        self.ref = ref

    def problem_extensions(self) -> dict[str, Any]:
        return {"service_code": self.service_code, "evidence": {"kind": self.kind, "ref": self.ref}}


class ServiceImportRejected(ProceduresError, RowsRejected):
    """Rows of an imported service-item file are wrong; the message lists row, column, reason.

    Its problem document has the same ``errors`` member as the proof-list import's.
    """

    slug = "service-import-rejected"
    title = "Import rejected; nothing stored"
    title_zh = "导入被拒绝，未保存任何内容"

    report: ServiceItemImportReport
