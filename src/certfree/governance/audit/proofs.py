"""Proofs and queries over the stored audit log: roots, inclusion and consistency proofs,
entries with their proofs, and a data subject's own accesses.

Every proof is built from stored complete-subtree hashes (``audit_subtrees``), O(log n) rows
fetched in one query, against a tree size no larger than the current head.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.governance.audit import merkle
from certfree.governance.audit.log import current_head, with_subtrees
from certfree.governance.audit.models import AuditEntry, AuditSubject
from certfree.governance.errors import AuditEntryNotFound, AuditRangeInvalid

__all__ = [
    "EntryProof",
    "accesses_of",
    "consistency_proof",
    "entry_with_proof",
    "inclusion_proof",
    "root_at",
]


def _checked_size(session: Session, tree_size: int | None) -> int:
    """``tree_size`` (default: the current one), refused if the log is not that large yet."""
    current = current_head(session).tree_size
    if tree_size is None:
        return current
    if not 0 <= tree_size <= current:
        raise AuditRangeInvalid(
            f"树大小 {tree_size} 超出当前日志大小 {current}（应为 0 至 {current}）",
            field="tree_size",
        )
    return tree_size


def root_at(session: Session, tree_size: int) -> bytes:
    """MTH of the first ``tree_size`` entries (any size up to the current one)."""
    size = _checked_size(session, tree_size)
    return with_subtrees(session, lambda s: merkle.root_hash(s, size))


def inclusion_proof(session: Session, index: int, tree_size: int) -> list[bytes]:
    """PATH(index, D[0:tree_size]) from stored subtrees, O(log n) rows."""
    size = _checked_size(session, tree_size)
    return with_subtrees(session, lambda s: merkle.inclusion_path(s, index, size))


def consistency_proof(session: Session, first: int, second: int) -> list[bytes]:
    """PROOF(first, D[0:second]) from stored subtrees, O(log n) rows."""
    size = _checked_size(session, second)
    return with_subtrees(session, lambda s: merkle.consistency_proof(s, first, size))


@dataclass(frozen=True)
class EntryProof:
    """A log entry as stored, with its inclusion proof in the tree of ``tree_size``."""

    leaf_index: int
    record: str  # the canonical JSON whose UTF-8 bytes are the leaf
    leaf_hash: bytes
    tree_size: int
    path: list[bytes] = field(default_factory=list)
    # subject id -> salt of its commitment in the leaf, for the subjects the reader may see
    disclosures: dict[str, bytes] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "leaf_index": self.leaf_index,
            "record": json.loads(self.record),
            "leaf": self.record,
            "leaf_hash": self.leaf_hash.hex(),
            "tree_size": self.tree_size,
            "inclusion_proof": [node.hex() for node in self.path],
            "subjects": {s: salt.hex() for s, salt in self.disclosures.items()},
        }


def _with_proofs(
    session: Session,
    rows: Sequence[AuditEntry],
    tree_size: int,
    disclosures: Sequence[dict[str, bytes]],
) -> list[EntryProof]:
    def operation(source: merkle.SubtreeSource) -> list[list[bytes]]:
        return [merkle.inclusion_path(source, row.leaf_index, tree_size) for row in rows]

    paths = with_subtrees(session, operation)
    return [
        EntryProof(row.leaf_index, row.record, row.leaf_hash, tree_size, path, disclosed)
        for row, path, disclosed in zip(rows, paths, disclosures, strict=True)
    ]


def entry_with_proof(session: Session, index: int, tree_size: int | None = None) -> EntryProof:
    """Entry ``index`` with its proof against ``tree_size`` (default: the current head).

    For auditors: every subject of the entry is disclosed with its salt.
    """
    size = _checked_size(session, tree_size)
    row = session.get(AuditEntry, index) if 0 <= index < size else None
    if row is None:
        raise AuditEntryNotFound(f"大小为 {size} 的审计日志中没有序号为 {index} 的条目")
    subjects = session.execute(
        select(AuditSubject.subject_id, AuditSubject.salt).where(AuditSubject.leaf_index == index)
    )
    return _with_proofs(session, [row], size, [dict(subjects.all())])[0]


def accesses_of(
    session: Session, subject_id: str, tree_size: int | None = None
) -> list[EntryProof]:
    """Every entry naming ``subject_id``, oldest first, each with its inclusion proof.

    Only ``subject_id``'s own salt is disclosed; other subjects of an entry stay hidden.
    """
    size = _checked_size(session, tree_size)
    found = session.execute(
        select(AuditEntry, AuditSubject.salt)
        .join(AuditSubject, AuditSubject.leaf_index == AuditEntry.leaf_index)
        .where(AuditSubject.subject_id == subject_id, AuditEntry.leaf_index < size)
        .order_by(AuditEntry.leaf_index)
    ).all()
    rows = [row for row, _ in found]
    return _with_proofs(session, rows, size, [{subject_id: salt} for _, salt in found])
