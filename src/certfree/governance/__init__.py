"""Governance of shared data: consent of data subjects and the tamper-evident audit log."""

# -- audit log (certfree.governance.audit, audit_writer, audit_heads, merkle) -------------------
from certfree.governance.audit import (
    AuditKind,
    AuditRecord,
    TreeHead,
    append_records,
    current_head,
    subject_commitment,
)
from certfree.governance.audit_heads import (
    LogCheck,
    SignedTreeHead,
    open_tree_head,
    sign_tree_head,
    verify_log,
)
from certfree.governance.audit_monitor import HeadCheck, check_node_head, node_url
from certfree.governance.audit_proofs import (
    EntryProof,
    accesses_of,
    consistency_proof,
    entry_with_proof,
    inclusion_proof,
    root_at,
)
from certfree.governance.audit_writer import AuditWriter

# -- consent (certfree.governance.consent) ------------------------------------------------------
from certfree.governance.consent import (
    DEFAULT_CONSENT_DAYS,
    AskedQuestion,
    check_snapshot,
    consent_snapshot,
    consent_view,
    give,
    list_consents,
    preview,
    questions_of_service_item,
    revoke_consent,
    snapshot_of,
)
from certfree.governance.consent_models import Consent
from certfree.governance.errors import (
    AuditEntryNotFound,
    AuditNodeUnreachable,
    AuditProofInvalid,
    AuditRangeInvalid,
    AuditUnavailable,
    ConsentNotFound,
    ConsentReason,
    ConsentRefused,
    ConsentRevoked,
    TreeHeadInvalid,
)

__all__ = [
    "DEFAULT_CONSENT_DAYS",
    "AskedQuestion",
    "AuditEntryNotFound",
    "AuditKind",
    "AuditNodeUnreachable",
    "AuditProofInvalid",
    "AuditRangeInvalid",
    "AuditRecord",
    "AuditUnavailable",
    "AuditWriter",
    "Consent",
    "ConsentNotFound",
    "ConsentReason",
    "ConsentRefused",
    "ConsentRevoked",
    "EntryProof",
    "HeadCheck",
    "LogCheck",
    "SignedTreeHead",
    "TreeHead",
    "TreeHeadInvalid",
    "accesses_of",
    "append_records",
    "check_node_head",
    "check_snapshot",
    "consent_snapshot",
    "consent_view",
    "consistency_proof",
    "current_head",
    "entry_with_proof",
    "give",
    "inclusion_proof",
    "list_consents",
    "node_url",
    "open_tree_head",
    "preview",
    "questions_of_service_item",
    "revoke_consent",
    "root_at",
    "sign_tree_head",
    "snapshot_of",
    "subject_commitment",
    "verify_log",
]
