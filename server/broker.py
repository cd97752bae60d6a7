"""The in-process broker: ONE Redis pub/sub subscription per server process,
fanned out to every websocket subscriber of the process.

Changes arrive as batches in position order. The broker remembers the highest
position it has dispatched and drops anything at or below it, so a batch the
relay publishes twice (after a crash or a Redis hiccup) reaches nobody twice.
When its Redis connection breaks, the broker resubscribes and then reads the
log from its last position (what was committed and published meanwhile), so a
subscriber connected through the outage misses nothing either.

``almanac serve`` always has a Redis (``REDIS_URL``, else its embedded one); an app
built without a Redis URL (tests, ``create_app`` called directly) hands it a fakeredis
client: the same code, in-process.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

import structlog
from redis.asyncio import Redis

from server.changes import Change, decode_batch
from server.subscriber import GOING_AWAY, CloseSocket, Subscriber

log = structlog.get_logger(__name__)

ChangesAfter = Callable[[int], Awaitable[list[Change]]]
BatchListener = Callable[[list[Change]], None]


class ChangeBroker:
    def __init__(
        self,
        redis: Redis,
        channel: str,
        *,
        changes_after: ChangesAfter,
        published_position: Callable[[], Awaitable[int]],
        max_queued: int = 256,
        retry_interval: float = 1.0,
    ) -> None:
        self.redis = redis
        self.channel = channel
        self.changes_after = changes_after  # read the log (catch-up after a reconnect)
        self.published_position = published_position  # where the live feed starts for this process
        self.max_queued = max_queued
        self.retry_interval = retry_interval
        self.last_position: int | None = None  # read on first connect (the database may be down at start)
        self.subscribers: set[Subscriber] = set()
        # In-process consumers of every change (e.g. the user cache's invalidation); called inline.
        self.listeners: list[Callable[[Change], None]] = []
        # Told every new batch after the subscribers saw it (subscription groups, the connection watch).
        self.batch_listeners: list[BatchListener] = []
        self.connected = asyncio.Event()
        self._pubsub: Any = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._was_connected = False  # the first subscribe has nothing to catch up on: no subscribers yet

    # -- subscribers -------------------------------------------------------------
    def subscribe(
        self,
        accepts: Callable[[Change], bool],
        *,
        close_socket: CloseSocket | None = None,
        max_queued: int | None = None,
    ) -> Subscriber:
        subscriber = Subscriber(accepts, max_queued=max_queued or self.max_queued, close_socket=close_socket)
        self.subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)

    def dispatch(self, changes: list[Change]) -> None:
        fresh: list[Change] = []
        for change in changes:
            if self.last_position is not None and change.position <= self.last_position:
                continue
            self.last_position = change.position
            fresh.append(change)
            for listener in self.listeners:
                listener(change)
            for subscriber in tuple(self.subscribers):
                try:
                    subscriber.offer(change)
                except Exception:  # a faulty filter must not starve the other subscribers
                    log.exception("broker.filter_failed", position=change.position)
                    subscriber.close(1011, "Internal error")
        if not fresh:
            return
        for batch_listener in tuple(self.batch_listeners):
            try:
                batch_listener(fresh)
            except Exception:
                log.exception("broker.listener_failed", position=fresh[-1].position)

    # -- lifecycle ---------------------------------------------------------------------
    async def start(self) -> None:
        """Start listening (waits up to 2 s for Redis and the database; keeps retrying after that)."""
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="change-broker")
        with suppress(TimeoutError):  # serve anyway when Redis is down; the broker keeps retrying
            await asyncio.wait_for(self.connected.wait(), timeout=2.0)

    async def stop(self) -> None:
        """Close every open subscription with GOING_AWAY, then the Redis subscription."""
        self._stopping = True
        for subscriber in tuple(self.subscribers):
            subscriber.close(GOING_AWAY, "Server shutting down; resubscribe with `after`")
        await asyncio.sleep(0)  # let the close frames go out
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._drop_pubsub()

    async def _run(self) -> None:
        while not self._stopping:
            try:
                if self._pubsub is None:
                    await self._connect()
                message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if message is not None and message.get("type") == "message":
                    self.dispatch(decode_batch(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("broker.redis_unavailable", error=str(error))
                await self._drop_pubsub()
                await asyncio.sleep(self.retry_interval)

    async def _connect(self) -> None:
        if self.last_position is None:
            self.last_position = await self.published_position()
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(self.channel)
        self._pubsub = pubsub
        if self._was_connected or self.subscribers:
            # Whatever was published while we were not subscribed is committed: read it from the log.
            self.dispatch(await self.changes_after(self.last_position or 0))
        self._was_connected = True
        self.connected.set()

    async def _drop_pubsub(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        self.connected.clear()
        if pubsub is not None:
            with suppress(Exception):
                await pubsub.aclose()
