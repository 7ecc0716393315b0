"""The node's append-only audit log: records, appending, and proofs over the stored tree.

Every request and answer a node sends or receives becomes one :class:`AuditRecord`; its
canonical JSON (sorted keys, UTF-8) is a leaf of the node's RFC 6962 Merkle tree. Appending
locks the single head row, so appenders in several processes take turns and indexes stay
dense; a batch of records costs one transaction (see ``writer`` for group commit).

X-Road's rule applies to callers: a provider appends (committed) before it releases an
answer; a consumer appends the request before sending and the answer on receipt.

A leaf is the canonical JSON (sorted keys, no spaces, UTF-8) of::

    {"kind", "message_id", "consumer", "provider", "question", "service_item",
     "outcome", "message_sha256", "at" (ISO 8601, UTC, microseconds),
     "subjects": sorted hex SHA-256(salt || subject id), one per distinct subject}

so anyone given the leaf, a salt and an inclusion proof can check that the entry about
that subject is in the tree a signed head commits to (RFC 6962 §2.1.1).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import Table, and_, bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from certfree.crypto import canonical_json
from certfree.errors import InvalidInput
from certfree.governance.audit import merkle
from certfree.governance.audit.models import (
    HEAD_ROW_ID,
    AuditEntry,
    AuditHead,
    AuditSubject,
    AuditSubtree,
)
from certfree.governance.errors import AuditEntryNotFound
from certfree.storage import utcnow

__all__ = [
    "SALT_SIZE",
    "AuditKind",
    "AuditRecord",
    "PreparedRecord",
    "TreeHead",
    "append_prepared",
    "append_records",
    "current_head",
    "fetch_subtrees",
    "leaf_document",
    "prepare_record",
    "subject_commitment",
    "with_subtrees",
]


T = TypeVar("T")


class AuditKind(enum.StrEnum):
    """What happened to a message at this node."""

    REQUEST_SENT = "request_sent"
    REQUEST_RECEIVED = "request_received"
    ANSWER_SENT = "answer_sent"
    ANSWER_RECEIVED = "answer_received"
    REFUSED = "refused"
    VERIFICATION_REQUEST_SENT = "verification_request_sent"
    VERIFICATION_REQUEST_RECEIVED = "verification_request_received"
    VERIFICATION_ANSWER_SENT = "verification_answer_sent"
    VERIFICATION_ANSWER_RECEIVED = "verification_answer_received"
    # A data subject's rights (PIPL 第44–50条, ``governance.subject_rights``): their request,
    # its answer, each change made to their data, their objection, and a read of their
    # access log by another node.
    SUBJECT_REQUEST = "subject_request"
    SUBJECT_ANSWER = "subject_answer"
    SUBJECT_CHANGE = "subject_change"
    SUBJECT_OBJECTION = "subject_objection"
    SUBJECT_LOG_READ = "subject_log_read"


_ENTRIES = cast(Table, AuditEntry.__table__)
_SUBJECTS = cast(Table, AuditSubject.__table__)
_SUBTREES = cast(Table, AuditSubtree.__table__)
_INSERT_ENTRIES = insert(_ENTRIES)
_INSERT_SUBJECTS = insert(_SUBJECTS)
_INSERT_SUBTREES = insert(_SUBTREES)

SALT_SIZE = 16
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
# Column widths of audit_entries/audit_subjects: checked before a batch so one bad record
# fails its own caller, not the whole group-committed batch.
_LIMITS = {"message_id": 64, "consumer": 32, "provider": 32, "question": 64, "service_item": 64}


@dataclass(frozen=True)
class AuditRecord:
    """One logged event; ``at`` is when it happened (timezone-aware)."""

    kind: str
    message_id: str
    consumer: str
    provider: str
    question: str | None
    service_item: str | None
    subject_ids: list[str]
    outcome: dict[str, Any] | None
    message_sha256: str
    at: dt.datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "message_id": self.message_id,
            "consumer": self.consumer,
            "provider": self.provider,
            "question": self.question,
            "service_item": self.service_item,
            "subject_ids": list(self.subject_ids),
            "outcome": self.outcome,
            "message_sha256": self.message_sha256,
            "at": self.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        }


def subject_commitment(subject_id: str, salt: bytes) -> str:
    """Hex SHA-256(salt || UTF-8 subject id): how a leaf names a data subject.

    The leaf holds only these salted commitments (sorted), never the ID numbers, so one
    citizen shown an entry and their own salt learns nothing of the other subjects in it
    (ID numbers are too few to hide behind an unsalted hash); the salts stay in
    ``audit_subjects``, like SD-JWT disclosures (RFC 9901 §4.2).
    """
    return hashlib.sha256(salt + subject_id.encode("utf-8")).hexdigest()


def leaf_document(record: AuditRecord, salts: Mapping[str, bytes]) -> dict[str, Any]:
    """The JSON object whose canonical form is the leaf of ``record``."""
    document = record.to_json()
    del document["subject_ids"]
    document["subjects"] = sorted(subject_commitment(s, salt) for s, salt in salts.items())
    return document


@dataclass(frozen=True)
class PreparedRecord:
    """A checked record with its subject salts, leaf bytes and RFC 6962 leaf hash."""

    record: AuditRecord
    salts: dict[str, bytes]
    data: bytes
    leaf_hash: bytes


def prepare_record(record: AuditRecord) -> PreparedRecord:
    """Check ``record`` and encode its leaf; InvalidInput names the faulty field."""
    try:
        AuditKind(record.kind)
    except ValueError:
        kinds = ", ".join(kind.value for kind in AuditKind)
        raise InvalidInput(
            f"未知的审计事件类型 {record.kind!r}；应为 {kinds}", field="kind"
        ) from None
    for name, limit in _LIMITS.items():
        value = getattr(record, name)
        if value is None and name in {"question", "service_item"}:
            continue
        if not isinstance(value, str) or not value or len(value) > limit:
            raise InvalidInput(f"应为 1 至 {limit} 个字符的字符串，实际 {value!r}", field=name)
    for subject in record.subject_ids:
        if not isinstance(subject, str) or not subject or len(subject) > 64:
            raise InvalidInput(
                f"数据主体标识应为 1 至 64 个字符，实际 {subject!r}", field="subject_ids"
            )
    if not _SHA256_HEX.fullmatch(record.message_sha256):
        raise InvalidInput("应为 64 位小写十六进制 SHA-256 摘要", field="message_sha256")
    if record.at.tzinfo is None:
        raise InvalidInput("时间须带时区（UTC）", field="at")
    salts = {subject: os.urandom(SALT_SIZE) for subject in record.subject_ids}
    data = canonical_json(leaf_document(record, salts))
    return PreparedRecord(record, salts, data, merkle.leaf_hash(data))


@dataclass(frozen=True)
class TreeHead:
    tree_size: int
    root_hash: bytes


def current_head(session: Session) -> TreeHead:
    """The newest committed tree size and root (the empty tree before the first append)."""
    row = session.execute(
        select(AuditHead.tree_size, AuditHead.root_hash).where(AuditHead.id == HEAD_ROW_ID)
    ).one_or_none()
    return TreeHead(0, merkle.EMPTY_ROOT) if row is None else TreeHead(row[0], row[1])


# Statements built once: SQLAlchemy caches their compiled form, and executing them on the
# session's Connection skips the ORM layer (several times the CPU of the SQL itself).
_TOUCH_HEAD = (
    update(AuditHead).where(AuditHead.id == HEAD_ROW_ID).values(tree_size=AuditHead.tree_size)
)
_READ_HEAD = (
    select(AuditHead.tree_size, AuditHead.root_hash)
    .where(AuditHead.id == HEAD_ROW_ID)
    .with_for_update()
)
_MOVE_HEAD = (
    update(AuditHead)
    .where(AuditHead.id == HEAD_ROW_ID)
    .values(
        tree_size=bindparam("new_size"),
        root_hash=bindparam("new_root"),
        updated_at=bindparam("new_at"),
    )
)


def _lock_head(session: Session) -> TreeHead:
    """Lock the head row for this transaction and read it, creating it on first use.

    SQLite: the no-op UPDATE takes the database write lock *before* anything is read, so
    a second process waits (busy timeout) instead of appending at the same index.
    PostgreSQL: SELECT … FOR UPDATE locks the row until commit.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.execute(_TOUCH_HEAD)
    row = connection.execute(_READ_HEAD).one_or_none()
    if row is None:
        try:
            with session.begin_nested():
                session.execute(
                    insert(AuditHead).values(
                        id=HEAD_ROW_ID,
                        tree_size=0,
                        root_hash=merkle.EMPTY_ROOT,
                        updated_at=utcnow(),
                    )
                )
        except IntegrityError:
            pass  # another process created it first; its row lock now orders us
        row = session.connection().execute(_READ_HEAD).one()
    return TreeHead(row[0], row[1])


def fetch_subtrees(
    session: Session, wanted: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], bytes]:
    """The stored hashes of perfect subtrees ``(level, index)``; level 0 are the leaf hashes.

    Raises AuditEntryNotFound if one is missing (a damaged log: run verify-log).
    """
    keys = sorted(wanted)
    leaves = [index for level, index in keys if level == 0]
    nodes = [(level, index) for level, index in keys if level > 0]
    found: dict[tuple[int, int], bytes] = {}
    for start in range(0, len(leaves), 500):
        query = select(AuditEntry.leaf_index, AuditEntry.leaf_hash).where(
            AuditEntry.leaf_index.in_(leaves[start : start + 500])
        )
        found.update(((0, index), value) for index, value in session.execute(query))
    for start in range(0, len(nodes), 200):
        condition = or_(
            *(
                and_(AuditSubtree.level == level, AuditSubtree.node_index == index)
                for level, index in nodes[start : start + 200]
            )
        )
        stored = select(AuditSubtree.level, AuditSubtree.node_index, AuditSubtree.hash)
        found.update(
            ((level, index), value)
            for level, index, value in session.execute(stored.where(condition))
        )
    missing = set(keys) - found.keys()
    if missing:
        raise AuditEntryNotFound(
            f"审计日志缺少子树哈希 {sorted(missing)[:5]}；请运行 certfree audit verify-log"
        )
    return found


def with_subtrees(session: Session, operation: Callable[[merkle.SubtreeSource], T]) -> T:
    """Run a Merkle ``operation`` on stored subtrees, fetching all it needs in one go."""
    hashes = fetch_subtrees(session, merkle.needed_subtrees(operation))
    return operation(lambda level, index: hashes[(level, index)])


# (tree size, root hash) → the frontier of that tree. The root commits to every leaf (RFC
# 6962 §2.1), so an entry can only be reused for the very tree it was computed from, whatever
# database or process appended it; a stale or rolled-back entry is simply never hit again.
_FRONTIERS: OrderedDict[tuple[int, bytes], tuple[tuple[int, bytes], ...]] = OrderedDict()
_FRONTIER_SLOTS = 64
_FRONTIER_LOCK = threading.Lock()


def _remember_frontier(head: TreeHead, frontier: Sequence[tuple[int, bytes]]) -> None:
    with _FRONTIER_LOCK:
        _FRONTIERS[(head.tree_size, head.root_hash)] = tuple(frontier)
        while len(_FRONTIERS) > _FRONTIER_SLOTS:
            _FRONTIERS.popitem(last=False)


def _frontier(session: Session, head: TreeHead) -> list[tuple[int, bytes]]:
    """The perfect subtrees that tile [0, tree_size), largest first: the right edge to grow."""
    with _FRONTIER_LOCK:
        known = _FRONTIERS.get((head.tree_size, head.root_hash))
    if known is not None:
        return list(known)
    tiles: list[tuple[int, int]] = []
    offset = 0
    for level in reversed(range(head.tree_size.bit_length())):
        if head.tree_size >> level & 1:
            tiles.append((level, offset >> level))
            offset += 1 << level
    hashes = fetch_subtrees(session, tiles) if tiles else {}
    return [(level, hashes[(level, index)]) for level, index in tiles]


def append_prepared(session: Session, prepared: Sequence[PreparedRecord]) -> list[int]:
    """Append checked records in ``session``'s transaction; their leaf indexes, in order."""
    if not prepared:
        return []
    head = _lock_head(session)
    size = head.tree_size
    frontier = _frontier(session, head)
    now = utcnow()
    entries: list[dict[str, Any]] = []
    subjects: list[dict[str, Any]] = []
    subtrees: list[dict[str, Any]] = []
    indexes: list[int] = []
    for item in prepared:
        record = item.record
        index = size
        indexes.append(index)
        entries.append(
            {
                "leaf_index": index,
                "leaf_hash": item.leaf_hash,
                "record": item.data.decode("utf-8"),
                "kind": record.kind,
                "message_id": record.message_id,
                "consumer": record.consumer,
                "provider": record.provider,
                "question": record.question,
                "service_item": record.service_item,
                "recorded_at": record.at,
                "appended_at": now,
            }
        )
        subjects.extend(
            {"subject_id": s, "leaf_index": index, "salt": salt} for s, salt in item.salts.items()
        )
        size += 1
        frontier.append((0, item.leaf_hash))
        # Two equal-level tiles at the right edge merge into a completed parent (RFC 6962 §2.1).
        while len(frontier) > 1 and frontier[-1][0] == frontier[-2][0]:
            (level, right), (_, left) = frontier.pop(), frontier.pop()
            parent = merkle.node_hash(left, right)
            frontier.append((level + 1, parent))
            subtrees.append(
                {"level": level + 1, "node_index": (size >> (level + 1)) - 1, "hash": parent}
            )
    root = frontier[-1][1]
    for _, tile in reversed(frontier[:-1]):
        root = merkle.node_hash(tile, root)
    # Core inserts on the session's connection: the ORM's bulk path costs several times more
    # CPU per row, and the writer thread holds the log's lock meanwhile.
    connection = session.connection()
    connection.execute(_INSERT_ENTRIES, entries)
    if subjects:
        connection.execute(_INSERT_SUBJECTS, subjects)
    if subtrees:
        connection.execute(_INSERT_SUBTREES, subtrees)
    connection.execute(_MOVE_HEAD, {"new_size": size, "new_root": root, "new_at": now})
    _remember_frontier(TreeHead(size, root), frontier)
    return indexes


def append_records(session: Session, records: Iterable[AuditRecord]) -> list[int]:
    """Append ``records`` in ``session``'s transaction (visible and durable at its commit).

    Runs the lock first, so call it early in a write transaction or in a session of its own.
    """
    return append_prepared(session, [prepare_record(record) for record in records])
