"""The node's audit log in a real database: appending, stored proofs, signed heads, citizen view."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select, update

from certfree.crypto import KeyStore, b64url_encode, canonical_json
from certfree.errors import InvalidInput
from certfree.governance import (
    AuditEntryNotFound,
    AuditRangeInvalid,
    AuditRecord,
    TreeHeadInvalid,
    accesses_of,
    append_records,
    consistency_proof,
    current_head,
    entry_with_proof,
    inclusion_proof,
    open_tree_head,
    root_at,
    sign_tree_head,
    subject_commitment,
    verify_log,
)
from certfree.governance.audit.merkle import (
    MemoryTree,
    leaf_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from certfree.governance.audit.models import AuditEntry
from certfree.storage import Database

ALICE = "370102198001010015"
BOB = "370102199002020028"
AT = dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)


def record(
    n: int, *, subjects: tuple[str, ...] = (ALICE,), kind: str = "answer_sent"
) -> AuditRecord:
    return AuditRecord(
        kind=kind,
        message_id=f"msg-{n:06d}",
        consumer="370100",
        provider="370100-MZ",
        question="marital_status",
        service_item="370000-000201-001",
        subject_ids=list(subjects),
        outcome={"married": n % 2 == 0},
        message_sha256=hashlib.sha256(str(n).encode()).hexdigest(),
        at=AT + dt.timedelta(seconds=n),
    )


def _fill(db: Database, batches: list[int]) -> list[AuditRecord]:
    records: list[AuditRecord] = []
    for size in batches:
        batch = [record(len(records) + i) for i in range(size)]
        with db.session() as session:
            indexes = append_records(session, batch)
        assert indexes == list(range(len(records), len(records) + size))
        records.extend(batch)
    return records


def _memory(db: Database) -> MemoryTree:
    """The tree recomputed from the stored leaf bytes, independently of the stored hashes."""
    with db.session() as session:
        leaves = session.scalars(select(AuditEntry.record).order_by(AuditEntry.leaf_index))
        return MemoryTree([leaf_hash(leaf.encode("utf-8")) for leaf in leaves])


def test_empty_log_has_the_empty_root(db: Database) -> None:
    with db.session() as session:
        head = current_head(session)
        assert head.tree_size == 0
        assert head.root_hash.hex() == hashlib.sha256(b"").hexdigest()
        assert verify_log(session).faults == []


def test_batches_build_the_rfc6962_tree(db: Database) -> None:
    records = _fill(db, [1, 2, 5, 1, 13, 8, 3])  # 33 leaves over batch edges of every kind
    tree = _memory(db)
    assert tree.size == len(records)
    with db.session() as session:
        head = current_head(session)
        assert head.tree_size == 33
        assert head.root_hash == root_hash(tree, 33)
        for size in (1, 2, 7, 16, 17, 32, 33):
            assert root_at(session, size) == root_hash(tree, size)
            for index in range(0, size, 3):
                path = inclusion_proof(session, index, size)
                verify_inclusion(tree(0, index), index, size, path, root_hash(tree, size))
            for first in range(1, size + 1, 4):
                proof = consistency_proof(session, first, size)
                verify_consistency(
                    first, size, root_hash(tree, first), root_hash(tree, size), proof
                )
        check = verify_log(session)
    assert check.faults == []
    assert check.root_hash == head.root_hash


def test_entry_carries_the_exact_leaf_bytes(db: Database) -> None:
    _fill(db, [6])
    with db.session() as session:
        entry = entry_with_proof(session, 4)
        head = current_head(session)
    body = entry.to_json()
    assert body["record"]["message_id"] == "msg-000004"
    assert body["record"]["at"] == "2026-11-29T08:00:04.000000+00:00"
    leaf = leaf_hash(body["leaf"].encode("utf-8"))
    assert leaf.hex() == body["leaf_hash"]
    verify_inclusion(
        leaf, 4, 6, [bytes.fromhex(h) for h in body["inclusion_proof"]], head.root_hash
    )


def test_out_of_range_is_refused_with_the_field(db: Database) -> None:
    _fill(db, [3])
    with db.session() as session:
        with pytest.raises(AuditEntryNotFound):
            entry_with_proof(session, 3)
        with pytest.raises(AuditRangeInvalid) as caught:
            consistency_proof(session, 1, 4)
        assert caught.value.field == "tree_size"
        with pytest.raises(AuditRangeInvalid) as caught:
            inclusion_proof(session, 2, 2)
        assert caught.value.field == "index"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "peeked"}, "kind"),
        ({"message_id": ""}, "message_id"),
        ({"consumer": "x" * 33}, "consumer"),
        ({"message_sha256": "ABC"}, "message_sha256"),
        ({"at": dt.datetime(2026, 1, 1)}, "at"),
        ({"subject_ids": [""]}, "subject_ids"),
    ],
)
def test_a_bad_record_names_its_field(db: Database, change: dict[str, object], field: str) -> None:
    bad = AuditRecord(**{**record(0).__dict__, **change})
    with db.session() as session, pytest.raises(InvalidInput) as caught:
        append_records(session, [bad])
    assert caught.value.field == field


def test_a_citizen_sees_every_access_with_a_proof(db: Database, keys: KeyStore) -> None:
    with db.session() as session:
        append_records(
            session, [record(0), record(1, subjects=(BOB,)), record(2, subjects=(BOB, ALICE))]
        )
        append_records(session, [record(3, subjects=(ALICE, ALICE), kind="request_received")])
    with db.session() as session:
        head = open_tree_head(sign_tree_head(session, keys, "370100-MZ").jws, keys.verifier)
        seen = accesses_of(session, ALICE, head.tree_size)
        assert [e.leaf_index for e in seen] == [0, 2, 3]
        assert [e.leaf_index for e in accesses_of(session, BOB)] == [1, 2]
        assert accesses_of(session, "370102200001010011") == []
    for entry in seen:
        shown = entry.to_json()  # what the citizen receives
        leaf = leaf_hash(shown["leaf"].encode("utf-8"))
        proof = [bytes.fromhex(node) for node in shown["inclusion_proof"]]
        verify_inclusion(leaf, shown["leaf_index"], head.tree_size, proof, head.root_hash)
        assert list(shown["subjects"]) == [ALICE]  # only her own salt
        salt = bytes.fromhex(shown["subjects"][ALICE])
        assert subject_commitment(ALICE, salt) in shown["record"]["subjects"]
        # The other person of a joint question stays hidden: no ID number in the leaf.
        assert BOB not in shown["leaf"]
        assert ALICE not in shown["leaf"]
    assert len(seen[1].to_json()["record"]["subjects"]) == 2
    assert len(seen[2].to_json()["record"]["subjects"]) == 1  # the same person named twice


def test_an_auditor_sees_every_subject_of_an_entry(db: Database) -> None:
    with db.session() as session:
        append_records(session, [record(0, subjects=(BOB, ALICE))])
        shown = entry_with_proof(session, 0).to_json()
    assert sorted(shown["subjects"]) == [ALICE, BOB]
    for subject, salt in shown["subjects"].items():
        assert subject_commitment(subject, bytes.fromhex(salt)) in shown["record"]["subjects"]


def test_signed_head_verifies_and_names_the_node(db: Database, keys: KeyStore) -> None:
    _fill(db, [5])
    with db.session() as session:
        signed = sign_tree_head(session, keys, "370100-MZ", now_ms=1_790_000_000_000)
    opened = open_tree_head(signed.jws, keys.verifier, node="370100-MZ")
    assert (opened.tree_size, opened.timestamp) == (5, 1_790_000_000_000)
    assert opened.root_hash == signed.root_hash
    with pytest.raises(TreeHeadInvalid, match="370100-GA"):
        open_tree_head(signed.jws, keys.verifier, node="370100-GA")
    header, _, signature = signed.jws.split(".")
    claims = {
        "node": "370100-MZ",
        "tree_size": 4,
        "root_hash": signed.root_hash.hex(),
        "timestamp": signed.timestamp,
    }
    forged = f"{header}.{b64url_encode(canonical_json(claims))}.{signature}"
    with pytest.raises(TreeHeadInvalid, match="树头签名无效"):
        open_tree_head(forged, keys.verifier)


def test_full_check_finds_a_rewritten_entry(db: Database) -> None:
    _fill(db, [4])
    with db.session() as session:
        session.execute(
            update(AuditEntry)
            .where(AuditEntry.leaf_index == 2)
            .values(record=AuditEntry.record + " ")
        )
    with db.session() as session:
        check = verify_log(session)
    assert check.faults == [
        "条目 2 的叶哈希与记录内容不符",
        "子树哈希 (1, 1) 与重算结果不符",
        "子树哈希 (2, 0) 与重算结果不符",
        "树头的根哈希与重算结果不符",
    ]
