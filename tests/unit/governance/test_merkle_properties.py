"""Properties of the Merkle code for any tree size, against RFC 6962 §2.1's own definitions.

``_mth``, ``_path`` and ``_subproof`` below transcribe the RFC's recursive definitions word
for word over the leaf data; the library builds the same values from perfect subtrees.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certfree.governance.audit.merkle import (
    MemoryTree,
    consistency_proof,
    inclusion_path,
    leaf_hash,
    needed_subtrees,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from certfree.governance.errors import AuditProofInvalid, AuditRangeInvalid


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _mth(data: list[bytes]) -> bytes:
    if not data:
        return hashlib.sha256(b"").digest()
    if len(data) == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = _k(len(data))
    return hashlib.sha256(b"\x01" + _mth(data[:k]) + _mth(data[k:])).digest()


def _path(m: int, data: list[bytes]) -> list[bytes]:
    if len(data) == 1:
        return []
    k = _k(len(data))
    if m < k:
        return [*_path(m, data[:k]), _mth(data[k:])]
    return [*_path(m - k, data[k:]), _mth(data[:k])]


def _subproof(m: int, data: list[bytes], whole: bool) -> list[bytes]:
    n = len(data)
    if m == n:
        return [] if whole else [_mth(data)]
    k = _k(n)
    if m <= k:
        return [*_subproof(m, data[:k], whole), _mth(data[k:])]
    return [*_subproof(m - k, data[k:], False), _mth(data[:k])]


leaves = st.lists(st.binary(max_size=8), min_size=1, max_size=70)


@settings(max_examples=150, deadline=None)
@given(leaves, st.data())
def test_root_path_and_proof_match_the_rfc_definitions(
    data: list[bytes], draw: st.DataObject
) -> None:
    tree = MemoryTree([leaf_hash(d) for d in data])
    n = len(data)
    size = draw.draw(st.integers(1, n), label="tree size")
    index = draw.draw(st.integers(0, size - 1), label="index")
    first = draw.draw(st.integers(1, size), label="first")

    root = root_hash(tree, size)
    assert root == _mth(data[:size])
    path = inclusion_path(tree, index, size)
    assert path == _path(index, data[:size])
    verify_inclusion(leaf_hash(data[index]), index, size, path, root)
    proof = consistency_proof(tree, first, size)
    assert proof == (_subproof(first, data[:size], True) if first < size else [])
    verify_consistency(first, size, root_hash(tree, first), root, proof)


@settings(max_examples=100, deadline=None)
@given(leaves, st.data())
def test_any_changed_byte_breaks_the_proof(data: list[bytes], draw: st.DataObject) -> None:
    n = len(data)
    tree = MemoryTree([leaf_hash(d) for d in data])
    index = draw.draw(st.integers(0, n - 1))
    path = inclusion_path(tree, index, n)
    root = root_hash(tree, n)
    leaf = leaf_hash(data[index])
    with pytest.raises(AuditProofInvalid):
        verify_inclusion(leaf_hash(data[index] + b"x"), index, n, path, root)
    if path:
        which = draw.draw(st.integers(0, len(path) - 1))
        bad = [*path]
        bad[which] = bytes([bad[which][0] ^ 1]) + bad[which][1:]
        with pytest.raises(AuditProofInvalid):
            verify_inclusion(leaf, index, n, bad, root)
        with pytest.raises(AuditProofInvalid):
            verify_inclusion(leaf, index, n, path[:-1], root)
    with pytest.raises(AuditProofInvalid):
        verify_inclusion(leaf, index, n, [*path, root], root)
    if n > 1:
        first = draw.draw(st.integers(1, n - 1))
        proof = consistency_proof(tree, first, n)
        # A log that rewrote an old leaf cannot prove consistency with the old head.
        rewritten = MemoryTree(
            [leaf_hash(d + b"!") if i == 0 else leaf_hash(d) for i, d in enumerate(data)]
        )
        with pytest.raises(AuditProofInvalid):
            verify_consistency(first, n, root_hash(rewritten, first), root, proof)
        with pytest.raises(AuditProofInvalid):
            verify_consistency(first, n, root_hash(tree, first), root, proof[:-1])


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 1 << 40), st.data())
def test_reads_are_logarithmic(size: int, draw: st.DataObject) -> None:
    index = draw.draw(st.integers(0, size - 1))
    first = draw.draw(st.integers(1, size))
    bits = size.bit_length()
    assert len(needed_subtrees(lambda s: root_hash(s, size))) <= bits
    assert len(needed_subtrees(lambda s: inclusion_path(s, index, size))) <= 2 * bits
    assert len(needed_subtrees(lambda s: consistency_proof(s, first, size))) <= 2 * bits


def test_out_of_range_requests_name_the_field() -> None:
    tree = MemoryTree([leaf_hash(b"a")])
    with pytest.raises(AuditRangeInvalid) as caught:
        inclusion_path(tree, 1, 1)
    assert caught.value.field == "index"
    with pytest.raises(AuditRangeInvalid):
        consistency_proof(tree, 2, 1)
