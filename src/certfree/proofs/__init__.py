"""The proof-item list (证明事项清单): items, legal bases, ways of meeting them, versions.

"清单之外无证明": a proof may be demanded only if it is on the published list, rests on a law,
administrative regulation, State Council decision or local regulation
(:mod:`certfree.proofs.sufficiency`), and cannot be had another way. Other domains use only
the names below.
"""

from certfree.proofs.errors import (
    ImportRejected,
    InvalidProofItem,
    LegalDocumentNotFound,
    ListVersionNotFound,
    ProofItemNotFound,
    ProofListConflict,
    ProofsError,
)
from certfree.proofs.exporting import export_csv, export_json
from certfree.proofs.importing import ProofImportReport, RowError, import_proof_list
from certfree.proofs.models import LegalDocument, ProofItem
from certfree.proofs.registry import (
    BasisDraft,
    ItemDraft,
    abolish_item,
    add_basis,
    add_item,
    amend_item,
    find_document,
    get_item,
    list_documents,
    repeal_document,
)
from certfree.proofs.reports import abolition_report
from certfree.proofs.sufficiency import RULE_CITATION, insufficiency_reason
from certfree.proofs.versions import (
    ChangeView,
    VersionView,
    current_version,
    diff,
    get_version,
    list_changes,
    list_items,
    list_versions,
    publish,
)
from certfree.proofs.views import LegalBasisView, ProofItemView
from certfree.proofs.vocab import (
    SUFFICIENT_LEVELS,
    WAY_PREFERENCE,
    BasisLevel,
    ChangeKind,
    ExcludedArea,
    ProofItemStatus,
    Way,
)

__all__ = [
    "RULE_CITATION",
    "SUFFICIENT_LEVELS",
    "WAY_PREFERENCE",
    "BasisDraft",
    "BasisLevel",
    "ChangeKind",
    "ChangeView",
    "ExcludedArea",
    "ImportRejected",
    "InvalidProofItem",
    "ItemDraft",
    "LegalBasisView",
    "LegalDocument",
    "LegalDocumentNotFound",
    "ListVersionNotFound",
    "ProofImportReport",
    "ProofItem",
    "ProofItemNotFound",
    "ProofItemStatus",
    "ProofItemView",
    "ProofListConflict",
    "ProofsError",
    "RowError",
    "VersionView",
    "Way",
    "abolish_item",
    "abolition_report",
    "add_basis",
    "add_item",
    "amend_item",
    "current_version",
    "diff",
    "export_csv",
    "export_json",
    "find_document",
    "get_item",
    "get_version",
    "import_proof_list",
    "insufficiency_reason",
    "list_changes",
    "list_documents",
    "list_items",
    "list_versions",
    "publish",
    "repeal_document",
]
