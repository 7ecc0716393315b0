"""Merkle tree hashing, proofs and their verification (RFC 6962 §2.1, RFC 9162 §2.1).

The tree over leaves D[0:n] is the one of RFC 6962 §2.1: the empty tree hashes to
SHA-256(""), a leaf to SHA-256(0x00 || data), an interior node to SHA-256(0x01 || left ||
right), and D[0:n] splits at k, the largest power of two smaller than n.

Every hash of that tree is built from *perfect* subtrees: 2**level leaves starting at a
multiple of 2**level, named ``(level, index)``. Proof construction takes a ``SubtreeSource``
(``source(level, index) -> hash``) so a log can keep those hashes in a table and answer with
O(log n) reads; :class:`MemoryTree` is the in-memory source for a list of leaf hashes.
:func:`needed_subtrees` lists, before any read, which perfect subtrees an operation touches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from certfree.governance.errors import AuditProofInvalid, AuditRangeInvalid

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MemoryTree",
    "SubtreeSource",
    "consistency_proof",
    "inclusion_path",
    "leaf_hash",
    "needed_subtrees",
    "node_hash",
    "root_hash",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()  # RFC 6962 §2.1: MTH({}) = SHA-256()

SubtreeSource = Callable[[int, int], bytes]  # (level, index) -> hash of a perfect subtree


def leaf_hash(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 || d) (RFC 6962 §2.1)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right) (RFC 6962 §2.1); the 0x01 prefix separates it from leaves."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """k, the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _subtree(source: SubtreeSource, start: int, size: int) -> bytes:
    """MTH(D[start:start+size]) for a range on the RFC 6962 split path.

    Such a range starts at a multiple of the power of two at or above ``size``, so its left
    parts are perfect subtrees that ``source`` knows; O(log size) calls.
    """
    if size & (size - 1) == 0:
        level = size.bit_length() - 1
        return source(level, start >> level)
    k = _split(size)
    return node_hash(_subtree(source, start, k), _subtree(source, start + k, size - k))


def root_hash(source: SubtreeSource, tree_size: int) -> bytes:
    """MTH(D[0:tree_size])."""
    if tree_size < 0:
        raise AuditRangeInvalid(f"树大小不能为负数：{tree_size}", field="tree_size")
    return EMPTY_ROOT if tree_size == 0 else _subtree(source, 0, tree_size)


def inclusion_path(source: SubtreeSource, index: int, tree_size: int) -> list[bytes]:
    """PATH(index, D[0:tree_size]) of RFC 6962 §2.1.1, leaf-side first."""
    if not 0 <= index < tree_size:
        raise AuditRangeInvalid(
            f"条目序号 {index} 不在大小为 {tree_size} 的树内（应为 0 至 {tree_size - 1}）",
            field="index",
        )
    path: list[bytes] = []
    start, size, m = 0, tree_size, index
    # Walk down from the root; each step's sibling goes in front of those found below it.
    while size > 1:
        k = _split(size)
        if m < k:
            path.append(_subtree(source, start + k, size - k))
            size = k
        else:
            path.append(_subtree(source, start, k))
            start, size, m = start + k, size - k, m - k
    path.reverse()
    return path


def consistency_proof(source: SubtreeSource, first: int, second: int) -> list[bytes]:
    """PROOF(first, D[0:second]) of RFC 6962 §2.1.2 (empty when first is 0 or equals second)."""
    if not 0 <= first <= second:
        raise AuditRangeInvalid(
            f"一致性证明需要 0 ≤ first ≤ second，实际 first={first}，second={second}",
            field="first",
        )
    if first in {0, second}:
        return []
    proof: list[bytes] = []
    start, size, m, whole = 0, second, first, True  # SUBPROOF(m, D[start:start+size], whole)
    while m != size:
        k = _split(size)
        if m <= k:
            proof.append(_subtree(source, start + k, size - k))
            size = k
        else:
            proof.append(_subtree(source, start, k))
            start, size, m, whole = start + k, size - k, m - k, False
    if not whole:
        proof.append(_subtree(source, start, size))
    proof.reverse()
    return proof


def needed_subtrees(operation: Callable[[SubtreeSource], object]) -> set[tuple[int, int]]:
    """The ``(level, index)`` pairs ``operation`` reads, found by a dry run.

    The shape of every algorithm here depends only on sizes and indexes, never on hash
    values, so a store can fetch them all in one query and then run ``operation`` for real.
    """
    wanted: set[tuple[int, int]] = set()

    def record(level: int, index: int) -> bytes:
        wanted.add((level, index))
        return EMPTY_ROOT

    operation(record)
    return wanted


class MemoryTree:
    """Every perfect subtree of a list of leaf hashes, level by level (a full recomputation)."""

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        self.levels: list[list[bytes]] = [list(leaf_hashes)]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append(
                [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            )

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def __call__(self, level: int, index: int) -> bytes:
        return self.levels[level][index]


def _check_hash(value: bytes, what: str) -> None:
    # RFC 9162 §2.1: every hash is 32 bytes; a shorter one can only be forged or truncated.
    if len(value) != HASH_SIZE:
        raise AuditProofInvalid(f"{what}长度应为 {HASH_SIZE} 字节，实际 {len(value)} 字节")


def verify_inclusion(
    leaf: bytes, index: int, tree_size: int, path: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf`` (a leaf hash) is entry ``index`` of the tree with ``root``.

    RFC 9162 §2.1.3.2.

    Raises AuditProofInvalid naming what failed.
    """
    _check_hash(leaf, "叶哈希")
    _check_hash(root, "根哈希")
    for node in path:
        _check_hash(node, "证明中的哈希")
    if not 0 <= index < tree_size:
        raise AuditProofInvalid(f"条目序号 {index} 不在大小为 {tree_size} 的树内")
    fn, sn, r = index, tree_size - 1, leaf
    for p in path:
        if sn == 0:
            raise AuditProofInvalid("包含证明过长")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise AuditProofInvalid("包含证明过短")
    if r != root:
        raise AuditProofInvalid("包含证明算出的根哈希与树头不符")


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of size ``second`` extends the one of size ``first``.

    RFC 9162 §2.1.4.2. Raises AuditProofInvalid naming what failed.
    """
    _check_hash(first_root, "旧根哈希")
    _check_hash(second_root, "新根哈希")
    for node in proof:
        _check_hash(node, "证明中的哈希")
    _check_trivial_consistency(first, second, first_root, second_root, proof)
    if first == second:
        return
    path = list(proof)
    if first & (first - 1) == 0:  # step 2: an exact power of two is its own first node
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise AuditProofInvalid("一致性证明过长")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise AuditProofInvalid("一致性证明过短")
    if fr != first_root:
        raise AuditProofInvalid("一致性证明算出的旧根哈希与旧树头不符")
    if sr != second_root:
        raise AuditProofInvalid("一致性证明算出的新根哈希与新树头不符")


def _check_trivial_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """The cases before RFC 9162 §2.1.4.2's loop: sizes out of order, equal, or first empty."""
    if not 0 <= first <= second:
        raise AuditProofInvalid(f"新树（{second}）比旧树（{first}）小：日志被截短")
    if first == second:
        if proof:
            raise AuditProofInvalid("树大小相同时一致性证明应为空")
        if first_root != second_root:
            raise AuditProofInvalid("树大小相同而根哈希不同：日志被改写")
        return
    if first == 0:
        # RFC 9162 §2.1.4 defines proofs for 0 < first < second only: every tree extends the
        # empty one, so such a "proof" proves nothing and is refused rather than trusted.
        raise AuditProofInvalid("旧树为空：与空树的一致性无需证明，也无从证明")
    if not proof:
        raise AuditProofInvalid("一致性证明为空")
