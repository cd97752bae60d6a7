"""One websocket subscription's end of the broker: a filter and a bounded queue.

The broker calls ``offer`` for every change; it never blocks. When the queue is
full the subscriber is closed with ``SLOW_CONSUMER`` (4008) instead of growing
memory, unless it is still replaying from the log (then it only notes that it
fell behind and replays again from the log, which holds everything published).
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress

import structlog

from server.changes import Change

log = structlog.get_logger(__name__)

# WebSocket close codes (4000-4999 are the application's; graphql-transport-ws uses 44xx).
SLOW_CONSUMER = 4008  # the client did not keep up with its changes; reconnect with `after`
GOING_AWAY = 1001  # the server is shutting down; reconnect with `after`

CloseSocket = Callable[[int, str], Awaitable[None]]


class SubscriptionClosed(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code} {reason}")
        self.code = code
        self.reason = reason


class Subscriber:
    __slots__ = ("_close_socket", "_closed_event", "_tasks", "accepts", "closed", "fell_behind", "queue", "replaying")

    def __init__(self, accepts: Callable[[Change], bool], *, max_queued: int, close_socket: CloseSocket | None) -> None:
        self.accepts = accepts
        self.queue: asyncio.Queue[Change] = asyncio.Queue(maxsize=max_queued)
        self.replaying = False
        self.fell_behind = False
        self.closed: SubscriptionClosed | None = None
        self._closed_event = asyncio.Event()
        self._close_socket = close_socket
        self._tasks: set[asyncio.Task[None]] = set()

    def offer(self, change: Change) -> None:
        if self.closed is not None or not self.accepts(change):
            return
        try:
            self.queue.put_nowait(change)
        except asyncio.QueueFull:
            if self.replaying:
                self.fell_behind = True
                self.drain()
            else:
                self.close(SLOW_CONSUMER, "Too slow: change queue overflowed; resubscribe with `after`")

    def drain(self) -> None:
        while not self.queue.empty():
            self.queue.get_nowait()

    def close(self, code: int, reason: str) -> None:
        """Stop the subscription and close its websocket with ``code`` (never blocks the caller)."""
        if self.closed is not None:
            return
        self.closed = SubscriptionClosed(code, reason)
        self._closed_event.set()
        self.drain()
        log.info("subscription.closed", code=code, reason=reason)
        if self._close_socket is not None:
            task = asyncio.create_task(self._close(code, reason))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _close(self, code: int, reason: str) -> None:
        assert self._close_socket is not None
        with suppress(Exception):  # already closed by the client or the server
            await self._close_socket(code, reason)

    async def next(self) -> Change:
        """The next queued change; raises SubscriptionClosed once closed."""
        if self.closed is not None:
            raise self.closed
        if not self.queue.empty():
            return self.queue.get_nowait()
        getter = asyncio.ensure_future(self.queue.get())
        closer = asyncio.ensure_future(self._closed_event.wait())
        try:
            await asyncio.wait({getter, closer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            closer.cancel()
            if not getter.done():
                getter.cancel()
        if self.closed is not None:
            raise self.closed
        return getter.result()
