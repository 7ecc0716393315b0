"""Errors of the proof-item list; each names the item, document or version concerned::

ProofsError (CertfreeError)
├── ProofItemNotFound (NotFound)        404 no proof item with that code
├── LegalDocumentNotFound (NotFound)    404 no legal document with that id, number or title
├── ListVersionNotFound (NotFound)      404 no published version with that number
├── ProofListConflict (Conflict)        409 e.g. amending an abolished item, empty publish
├── InvalidProofItem (InvalidInput)     422 a field of an item is wrong
└── ImportRejected (RowsRejected)       422 rows of an imported file are wrong; nothing stored
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from certfree.errors import CertfreeError, Conflict, InvalidInput, NotFound
from certfree.tabular import RowsRejected

if TYPE_CHECKING:
    from certfree.proofs.importing import ProofImportReport

__all__ = [
    "ImportRejected",
    "InvalidProofItem",
    "LegalDocumentNotFound",
    "ListVersionNotFound",
    "ProofItemNotFound",
    "ProofListConflict",
    "ProofsError",
]


class ProofsError(CertfreeError):
    """Base of the errors raised by ``certfree.proofs``."""


class ProofItemNotFound(ProofsError, NotFound):
    slug = "proof-item-not-found"
    title = "Proof item not found"
    title_zh = "证明事项不存在"

    def __init__(self, code: str) -> None:
        super().__init__(f"证明事项清单中没有编码为 {code} 的证明事项（清单之外无证明）")
        self.code = code


class LegalDocumentNotFound(ProofsError, NotFound):
    slug = "legal-document-not-found"
    title = "Legal document not found"
    title_zh = "法律文件不存在"

    def __init__(self, key: str) -> None:
        super().__init__(
            f"没有 id、文号或名称为「{key}」的法律文件；用 GET /api/v1/legal-documents 查看"
        )
        self.key = key


class ListVersionNotFound(ProofsError, NotFound):
    slug = "proof-list-version-not-found"
    title = "Proof list version not found"
    title_zh = "证明事项清单版本不存在"


class ProofListConflict(ProofsError, Conflict):
    slug = "proof-list-conflict"
    title = "Proof list conflict"
    title_zh = "与证明事项清单现状冲突"


class InvalidProofItem(ProofsError, InvalidInput):
    slug = "invalid-proof-item"
    title = "Invalid proof item"
    title_zh = "证明事项内容有误"


class ImportRejected(ProofsError, RowsRejected):
    """Rows of an imported list are wrong; the message lists every row, column and reason."""

    slug = "proof-import-rejected"
    title = "Import rejected; nothing stored"
    title_zh = "导入被拒绝，未保存任何内容"

    report: ProofImportReport
