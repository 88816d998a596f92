"""A small per-process TTL cache whose concurrent misses for one key share a single load.

Sixty-four clients arriving at once with the same credentials must cost one database round trip,
not sixty-four: a miss stores the loading task itself, and later callers await that task. The load
runs as its own task, so a caller that goes away (client disconnected) does not cancel it for the
others.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Hashable
from typing import Any, Generic, TypeVar

__all__ = ["TtlCache"]

V = TypeVar("V")


class TtlCache(Generic[V]):
    def __init__(
        self,
        ttl_seconds: float,
        *,
        max_entries: int = 10_000,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock or time.monotonic
        self._entries: OrderedDict[Hashable, tuple[float, asyncio.Task[V]]] = OrderedDict()

    async def get(self, key: Hashable, load: Callable[[], Coroutine[Any, Any, V]]) -> V:
        if self._ttl <= 0:
            return await load()
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            task = entry[1]
        else:
            task = asyncio.ensure_future(load())
            self._entries[key] = (now + self._ttl, task)
            self._entries.move_to_end(key)
            task.add_done_callback(lambda done: self._drop_if_failed(key, done))
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return await asyncio.shield(task)

    def _drop_if_failed(self, key: Hashable, task: asyncio.Task[V]) -> None:
        # A failed load (database away) is not remembered: the next caller tries again.
        if task.cancelled() or task.exception() is not None:
            entry = self._entries.get(key)
            if entry is not None and entry[1] is task:
                del self._entries[key]

    def forget(self, key: Hashable) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()
