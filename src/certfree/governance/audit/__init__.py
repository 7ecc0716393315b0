"""The node's tamper-evident audit log: an append-only RFC 6962 Merkle tree per node database.

* ``log`` — the records and appending them (one leaf per request or answer).
* ``writer`` — group commit: one writer thread, many records per transaction.
* ``merkle`` — tree hashing, inclusion and consistency proofs (RFC 6962 §2.1, RFC 9162 §2.1).
* ``proofs`` — roots, proofs and a data subject's own accesses over the stored tree.
* ``heads`` — signed tree heads (RFC 6962 §3.5) and the full integrity check of a local log.
* ``monitor`` — another node's log watched from outside (RFC 9162 §8.2).
* ``models`` — the entry, subject, subtree and head tables.
"""

from certfree.governance.audit.heads import (
    LogCheck,
    SignedTreeHead,
    open_tree_head,
    sign_tree_head,
    verify_log,
)
from certfree.governance.audit.log import (
    AuditKind,
    AuditRecord,
    TreeHead,
    append_records,
    current_head,
    subject_commitment,
)
from certfree.governance.audit.monitor import HeadCheck, check_node_head, node_url
from certfree.governance.audit.proofs import (
    EntryProof,
    accesses_of,
    consistency_proof,
    entry_with_proof,
    inclusion_proof,
    root_at,
)
from certfree.governance.audit.writer import AuditWriter

__all__ = [
    "AuditKind",
    "AuditRecord",
    "AuditWriter",
    "EntryProof",
    "HeadCheck",
    "LogCheck",
    "SignedTreeHead",
    "TreeHead",
    "accesses_of",
    "append_records",
    "check_node_head",
    "consistency_proof",
    "current_head",
    "entry_with_proof",
    "inclusion_proof",
    "node_url",
    "open_tree_head",
    "root_at",
    "sign_tree_head",
    "subject_commitment",
    "verify_log",
]
