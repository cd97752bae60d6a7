"""Work done once per change per process, however many subscribers need it.

A thousand subscribers of ``taskChanged`` all want the same fresh task row for
a change; the first asks the database and the rest await the same future.
Entries are keyed by the change's position, so a later change never reads an
older result. The cache is small and evicts the oldest key.
"""
from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class SharedLoads:
    def __init__(self, *, size: int = 1024) -> None:
        self.size = size
        self._futures: OrderedDict[Hashable, asyncio.Future[Any]] = OrderedDict()

    async def get(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        future = self._futures.get(key)
        if future is None or (future.done() and future.exception() is not None):
            future = asyncio.ensure_future(load())
            self._futures[key] = future
            while len(self._futures) > self.size:
                self._futures.popitem(last=False)
        result: T = await asyncio.shield(future)
        return result
