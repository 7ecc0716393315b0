"""The audit routes as a citizen, an auditor and an outsider see them."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from certfree.crypto import KeyStore
from certfree.governance import append_records, open_tree_head, subject_commitment
from certfree.governance.audit.merkle import leaf_hash, verify_consistency, verify_inclusion
from certfree.storage import Database
from unit.governance.test_audit_log import ALICE, BOB, record


def _log(db: Database, count: int, start: int = 0) -> None:
    with db.session() as session:
        append_records(
            session,
            [record(n, subjects=(ALICE,) if n % 3 == 0 else (BOB,)) for n in range(start, count)],
        )


def _verified_head(body: dict[str, Any], keys: KeyStore) -> tuple[int, bytes]:
    head = open_tree_head(body["signed"], keys.verifier, node="370000")
    assert (head.tree_size, head.root_hash.hex()) == (body["tree_size"], body["root_hash"])
    return head.tree_size, head.root_hash


def _check_entry(entry: dict[str, Any], size: int, root: bytes) -> None:
    proof = [bytes.fromhex(node) for node in entry["inclusion_proof"]]
    leaf = leaf_hash(entry["leaf"].encode("utf-8"))
    verify_inclusion(leaf, entry["leaf_index"], size, proof, root)


def test_anyone_gets_a_signed_head_and_consistency_proofs(
    client: TestClient, db: Database, keys: KeyStore
) -> None:
    _log(db, 5)
    old_size, old_root = _verified_head(client.get("/api/v1/audit/head").json(), keys)
    assert old_size == 5
    _log(db, 12, start=5)
    size, root = _verified_head(client.get("/api/v1/audit/head").json(), keys)
    assert size == 12
    response = client.get("/api/v1/audit/consistency", params={"first": 5})
    assert response.status_code == 200
    body = response.json()
    assert (body["first"], body["second"]) == (5, 12)
    proof = [bytes.fromhex(node) for node in body["proof"]]
    verify_consistency(old_size, size, old_root, root, proof)

    too_far = client.get("/api/v1/audit/consistency", params={"first": 5, "second": 13})
    assert too_far.status_code == 422
    assert too_far.headers["content-type"] == "application/problem+json"
    assert too_far.json()["field"] == "tree_size"


def test_entries_are_for_auditors_only(
    client: TestClient, db: Database, keys: KeyStore, token_for: Any
) -> None:
    _log(db, 4)
    assert client.get("/api/v1/audit/entries/1").status_code == 401
    assert client.get("/api/v1/audit/entries/1", headers=token_for("clerk")).status_code == 403
    response = client.get("/api/v1/audit/entries/1", headers=token_for("cio"))
    assert response.status_code == 200
    body = response.json()
    size, root = _verified_head(body["head"], keys)
    entry = body["entry"]
    assert entry["record"]["message_id"] == "msg-000001"
    assert entry["subjects"].keys() == {BOB}
    _check_entry(entry, size, root)
    missing = client.get("/api/v1/audit/entries/4", headers=token_for("bureau_admin"))
    assert missing.status_code == 404
    assert missing.json()["type"].endswith("/audit-entry-not-found")


def test_a_citizen_lists_every_access_to_their_data(
    client: TestClient, db: Database, keys: KeyStore, token_for: Any
) -> None:
    _log(db, 10)
    response = client.get("/api/v1/me/accesses", headers=token_for("applicant", ALICE))
    assert response.status_code == 200
    body = response.json()
    size, root = _verified_head(body["head"], keys)
    assert body["subject"] == ALICE
    accesses = body["accesses"]
    assert [a["leaf_index"] for a in accesses] == [0, 3, 6, 9]
    first = accesses[0]
    assert first["consumer"] == "370100"
    assert first["provider"] == "370100-MZ"
    assert first["question"] == "marital_status"
    assert first["service_item"] == "370000-000201-001"
    assert first["answer"] == {"married": True}
    assert first["at"] == "2026-11-29T08:00:00.000000+00:00"
    for access in accesses:
        _check_entry(access, size, root)
        salt = bytes.fromhex(access["subjects"][ALICE])
        assert subject_commitment(ALICE, salt) in access["record"]["subjects"]
    stranger = client.get("/api/v1/me/accesses", headers=token_for("applicant", "x"))
    assert stranger.json()["accesses"] == []
    assert client.get("/api/v1/me/accesses", headers=token_for("cio")).status_code == 403
