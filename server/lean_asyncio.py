"""Per-connection stand-ins for ``asyncio.Queue`` and ``asyncio.Event`` that cost bytes, not kilobytes.

CPython builds both on ``collections.deque``, whose first block is allocated with the deque:
760 bytes even when empty, four of them in a Queue and one in an Event. Held once per open
websocket (uvicorn's receive queue and ``writable`` event, a group member's ``closed``), that
was ~5 KiB of each idle subscriber (issue 13). These keep a list of waiting futures instead,
and only while someone waits. Single event loop, no thread safety, as asyncio's.
"""
from __future__ import annotations

import asyncio
from typing import Generic, Literal, TypeVar

T = TypeVar("T")


class Inbox(Generic[T]):
    """A FIFO with ``asyncio.Queue``'s ``put_nowait``/``get``/``empty``, unbounded, without deques."""

    __slots__ = ("_items", "_waiters")

    def __init__(self) -> None:
        self._items: list[T] = []
        self._waiters: list[asyncio.Future[None]] = []

    def put_nowait(self, item: T) -> None:
        self._items.append(item)
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
                break  # one item, one getter woken (the next put wakes the next)

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items)

    async def get(self) -> T:
        while not self._items:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                self._waiters.remove(waiter)
                if waiter.done() and not waiter.cancelled() and self._items:
                    self._wake_next()  # pass on the wake-up this getter will not use
                raise
            self._waiters.remove(waiter)
        item = self._items.pop(0)
        if self._items:
            self._wake_next()
        return item

    def _wake_next(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
                return


class Flag:
    """``asyncio.Event``'s ``set``/``clear``/``is_set``/``wait``, without a deque."""

    __slots__ = ("_value", "_waiters")

    def __init__(self, value: bool = False) -> None:
        self._value = value
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._value

    def set(self) -> None:
        if self._value:
            return
        self._value = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._value = False

    async def wait(self) -> Literal[True]:
        if self._value:
            return True
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)
        return True
