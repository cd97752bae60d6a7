"""The change-log relay: numbers committed change rows and publishes them on Redis.

Every server process runs one relay; exactly one of them leads at a time (a
session-level ``pg_try_advisory_lock`` on the relay's own connection). The leader

1. numbers committed rows that have no position yet (``number_pending``: one
   short transaction, positions from a sequence, oldest id first), then
2. publishes every numbered row above its published watermark, in position
   order, as one JSON batch on ``<namespace>:changes``, and only then
3. advances the watermark (``change_log_published_seq``).

Numbering commits before publishing, so whatever a subscriber receives live is
already readable from the log (the resume seam relies on that). A crash or a
Redis outage between 1 and 3 only delays publishing: the next leader, or this
one when Redis answers again, republishes from the watermark, and the broker
drops positions it has already seen. The relay wakes on ``wake()`` (a commit in
this process), on PostgreSQL's ``NOTIFY almanac_change_log`` (a commit anywhere)
and every ``poll_interval`` seconds; a follower retries the lock at that pace,
so it takes over within about a second when the leader's connection goes away.
"""
from __future__ import annotations

import asyncio
from contextlib import suppress
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.queries.change_log import (
    WAKE_CHANNEL,
    number_pending,
    numbered_after,
    published_watermark,
    set_published_watermark,
    try_become_leader,
)
from server.changes import Change, encode_batch

log = structlog.get_logger(__name__)


def changes_channel(namespace: str) -> str:
    return f"{namespace}:changes"


class ChangeRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        redis: Redis,
        channel: str,
        *,
        poll_interval: float = 1.0,
        batch_size: int = 500,
    ) -> None:
        self.engine = engine
        self.redis = redis  # replaceable (tests point it at a dead port and back)
        self.channel = channel
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.is_leader = False
        self.published_through = 0
        self._conn: AsyncConnection | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    # -- lifecycle ---------------------------------------------------------------
    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="change-log-relay")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._drop_connection()

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await self.relay_once()
            except RedisError as error:  # keep leadership; publish again from the watermark
                log.warning("relay.redis_unavailable", error=str(error))
            except Exception:
                log.exception("relay.failed")
                await self._drop_connection()
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)

    # -- one pass ------------------------------------------------------------------
    async def relay_once(self) -> int:
        """Number and publish what is pending, if this relay leads; returns rows published."""
        conn = await self._connection()
        if not self.is_leader:
            if not await try_become_leader(conn):
                return 0
            self.is_leader = True
            self.published_through = await published_watermark(conn)
            await self._listen(conn)
            log.info("relay.leading", published_through=self.published_through)
        published = 0
        while True:
            numbered = await number_pending(conn, limit=self.batch_size)
            rows = await numbered_after(conn, self.published_through, limit=self.batch_size)
            if rows:
                changes = [Change.from_row(row) for row in rows]
                await self.redis.publish(self.channel, encode_batch(changes))
                self.published_through = changes[-1].position
                await set_published_watermark(conn, self.published_through)
                published += len(changes)
            if numbered < self.batch_size and len(rows) < self.batch_size:
                return published

    # -- the dedicated connection ------------------------------------------------------
    async def _connection(self) -> AsyncConnection:
        if self._conn is None:
            self._conn = await self.engine.connect()
        return self._conn

    async def _listen(self, conn: AsyncConnection) -> None:
        raw = await conn.get_raw_connection()
        driver: Any = raw.driver_connection
        await driver.add_listener(WAKE_CHANNEL, self._on_notify)

    def _on_notify(self, *_args: Any) -> None:
        self._wake.set()

    async def _drop_connection(self) -> None:
        """Close the real connection (never back to the pool: it may hold the lock)."""
        conn, self._conn = self._conn, None
        self.is_leader = False
        if conn is None:
            return
        with suppress(Exception):
            await conn.invalidate()
        with suppress(Exception):
            await conn.close()
