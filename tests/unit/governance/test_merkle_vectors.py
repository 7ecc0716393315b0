"""RFC 6962 hashing and RFC 9162 verification against tests/vectors/merkle_vectors.json.

The vectors are transparency-dev/merkle's (the classic certificate-transparency tree): single
hashes, roots of the 8-leaf reference tree at every size, its perfect-subtree hashes, and 196
inclusion/consistency probes of which the ``wantErr`` ones must be refused.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from certfree.governance.audit.merkle import (
    EMPTY_ROOT,
    MemoryTree,
    consistency_proof,
    inclusion_path,
    leaf_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from certfree.governance.errors import AuditProofInvalid
from conftest import load_vectors

VECTORS = load_vectors("merkle_vectors.json")
LEAVES = [bytes.fromhex(leaf) for leaf in VECTORS["leaves_hex"]]
TREE = MemoryTree([leaf_hash(leaf) for leaf in LEAVES])


# Probes whose hashes are not 32 bytes long but which the probe set accepts; RFC 9162 §2.1 hashes
# are SHA-256 outputs, so we refuse them (see ``strictness_notes`` in the vector file).
STRICTER_THAN_PROBES = {"consistency/additional/sizes-are-equal-one-and-proof-is-empty"}


def _b64(value: str) -> bytes:
    return base64.b64decode(value)


def _proof(probe: dict[str, Any]) -> list[bytes]:
    return [_b64(node) for node in probe["proof"] or []]


def _probe_id(probe: dict[str, Any]) -> str:
    return str(probe["file"]).removeprefix("testdata/").removesuffix(".json")


def test_single_hashes() -> None:
    expected = {item["what"]: bytes.fromhex(item["hex"]) for item in VECTORS["single_hashes"]}
    assert expected["empty tree root"] == EMPTY_ROOT == root_hash(TREE, 0)
    assert expected["leaf hash of empty data"] == leaf_hash(b"")
    assert expected["leaf hash of ASCII 'L123456'"] == leaf_hash(b"L123456")
    # The vector hashes raw child bytes, so build the 0x01 prefix by hand as RFC 6962 §2.1 does.
    assert expected[
        "node hash of children ASCII 'N123' and 'N456' (raw bytes, not 32-byte hashes)"
    ] == (hashlib.sha256(b"\x01N123N456").digest())


@pytest.mark.parametrize("size", range(9))
def test_root_at_every_size(size: int) -> None:
    want = bytes.fromhex(VECTORS["root_by_tree_size_hex"][str(size)])
    assert root_hash(TREE, size) == want
    assert root_hash(MemoryTree(TREE.levels[0][:size]), size) == want


def test_perfect_subtree_hashes() -> None:
    for level, hashes in enumerate(VECTORS["node_hashes_by_level_hex"]):
        assert [node.hex() for node in TREE.levels[level]] == hashes


@pytest.mark.parametrize("probe", VECTORS["inclusion_probes"], ids=_probe_id)
def test_inclusion_probe(probe: dict[str, Any]) -> None:
    arguments = (
        _b64(probe["leafHash"]),
        probe["leafIdx"],
        probe["treeSize"],
        _proof(probe),
        _b64(probe["root"]),
    )
    if probe["wantErr"]:
        with pytest.raises(AuditProofInvalid):
            verify_inclusion(*arguments)
    else:
        verify_inclusion(*arguments)


@pytest.mark.parametrize("probe", VECTORS["consistency_probes"], ids=_probe_id)
def test_consistency_probe(probe: dict[str, Any]) -> None:
    arguments = (
        probe["size1"],
        probe["size2"],
        _b64(probe["root1"]),
        _b64(probe["root2"]),
        _proof(probe),
    )
    if probe["wantErr"] or _probe_id(probe) in STRICTER_THAN_PROBES:
        with pytest.raises(AuditProofInvalid):
            verify_consistency(*arguments)
    else:
        verify_consistency(*arguments)


def _reference_tree_probes(kind: str) -> list[dict[str, Any]]:
    """Happy-path probes over the 8-leaf reference tree (their roots are its roots)."""
    roots = {bytes.fromhex(h) for h in VECTORS["root_by_tree_size_hex"].values()}
    if kind == "inclusion":
        return [
            p
            for p in VECTORS["inclusion_probes"]
            if not p["wantErr"] and _b64(p["root"]) in roots and p["treeSize"] <= TREE.size
        ]
    return [
        p
        for p in VECTORS["consistency_probes"]
        if not p["wantErr"] and _b64(p["root2"]) in roots and 0 < p["size1"] < p["size2"]
    ]


def test_our_proofs_equal_the_published_ones() -> None:
    inclusion = _reference_tree_probes("inclusion")
    consistency = _reference_tree_probes("consistency")
    assert inclusion
    assert consistency
    for probe in inclusion:
        assert inclusion_path(TREE, probe["leafIdx"], probe["treeSize"]) == _proof(probe)
    for probe in consistency:
        assert consistency_proof(TREE, probe["size1"], probe["size2"]) == _proof(probe)


def test_every_proof_of_the_reference_tree_verifies() -> None:
    for size in range(1, TREE.size + 1):
        root = root_hash(TREE, size)
        for index in range(size):
            verify_inclusion(TREE(0, index), index, size, inclusion_path(TREE, index, size), root)
        for first in range(1, size + 1):
            verify_consistency(
                first, size, root_hash(TREE, first), root, consistency_proof(TREE, first, size)
            )
