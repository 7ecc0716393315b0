"""The exchange's own worker threads, for blocking work: database reads and commits."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["Workers"]

T = TypeVar("T")


class Workers:
    """A thread pool sized for commits that wait on the disk rather than on the CPU."""

    def __init__(self, size: int = 32) -> None:
        self._size = size
        self._executor: ThreadPoolExecutor | None = None

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in one of the threads."""
        if self._executor is None:  # made on first use: a runtime stopped and started again
            self._executor = ThreadPoolExecutor(self._size, thread_name_prefix="exchange")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args))

    def shutdown(self) -> None:
        """Wait for the work under way, then end the threads."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
