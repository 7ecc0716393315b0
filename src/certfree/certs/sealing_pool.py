"""Sealing many certificates on every core: worker processes that hold the issuers' signers.

Building an SD-JWT VC (salts, disclosures, digests, canonical JSON) and signing it is pure
CPU work with no database, so a bulk job (backfill) hands :class:`Sealing` orders to a pool of
processes while the parent inspects and stores. Workers are forked from the parent after it has
opened the issuers' keys, so each worker inherits the opened signers: the key files, sealed
with scrypt + AES-GCM, are opened once by the parent (or once per worker for an issuer first
met later) and no private key travels through a pipe. Where ``fork`` is not available, or one
worker is asked for, sealing runs in the calling process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType

from certfree.certs.issuance import Sealed, Sealing, seal
from certfree.certs.issuers import Issuer, issuer_signer
from certfree.crypto import KeyStore, Signer

__all__ = ["PendingSeals", "SealingPool", "default_workers"]

# Module state of a worker process (and of the parent before it forks): the key store and
# the signers opened from it, by issuer USCC.
_keys: KeyStore | None = None
_signers: dict[str, Signer] = {}


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _signer(issuer: Issuer) -> Signer:
    found = _signers.get(issuer.uscc)
    if found is None:
        assert _keys is not None  # set by SealingPool before anything is sealed
        found = _signers[issuer.uscc] = issuer_signer(_keys, issuer)
    return found


def _seal_all(orders: Sequence[Sealing]) -> list[Sealed]:
    return [seal(_signer(order.issuer), order) for order in orders]


class PendingSeals:
    """Certificates being sealed; :meth:`result` waits for them, in order of the orders."""

    def __init__(self, parts: list[Future[list[Sealed]]] | None, done: list[Sealed] | None) -> None:
        self._parts = parts
        self._done = done

    def result(self) -> list[Sealed]:
        if self._done is None:
            assert self._parts is not None
            self._done = [c for part in self._parts for c in part.result()]
        return self._done


class SealingPool:
    """``workers`` sealing processes (default: one per core) for the life of a ``with`` block.

    ``issuers`` are opened before the workers start, so they inherit the opened signers. The
    signers live in module state (what a forked worker inherits): one pool per process at a
    time (bulk jobs run from the CLI, one per process).
    """

    def __init__(
        self, keys: KeyStore, issuers: Iterable[Issuer] = (), *, workers: int | None = None
    ) -> None:
        global _keys  # noqa: PLW0603 - the state forked workers inherit
        _keys = keys
        _signers.clear()
        for issuer in issuers:
            _signer(issuer)
        self.workers = max(1, workers if workers is not None else default_workers())
        self._executor: ProcessPoolExecutor | None = None
        if self.workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("fork")
            )

    def __enter__(self) -> SealingPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
        _signers.clear()

    def seal(self, orders: Sequence[Sealing]) -> PendingSeals:
        """Start sealing ``orders``, split evenly over the workers; returns at once."""
        if self._executor is None or len(orders) < 2:
            return PendingSeals(None, _seal_all(orders))
        share = -(-len(orders) // self.workers)
        parts = [
            self._executor.submit(_seal_all, orders[start : start + share])
            for start in range(0, len(orders), share)
        ]
        return PendingSeals(parts, None)
