"""Re-checks the user behind every open websocket: closed with 4403 once the user is
gone, deactivated or their token expired.

A connection authenticates once, in ``connection_init``; without this watch a
subscription would keep delivering for as long as the socket stays open. The
watch checks every connected user at least every ``interval`` seconds (ONE query
for all of them, not one per connection) and at once when the change log carries
a ``User`` change for a connected user (deactivation, role and password changes write
one), and closes a connection whose token has expired on the same sweep. A changed role
closes the connection too: its subscriptions were admitted and filtered for the old one;
so does a changed password (the user's ``token_version`` moved past the connection's token).
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

import structlog

from db.enums import Role

log = structlog.get_logger(__name__)

FORBIDDEN = 4403  # graphql-transport-ws's code for a refused (or no longer valid) connection

CloseConnection = Callable[[int, str], Awaitable[None]]


class Account(NamedTuple):
    role: Role
    token_version: int


ActiveUsers = Callable[[list[int]], Awaitable[dict[int, Account]]]  # active users among these ids


@dataclass(eq=False, slots=True)
class WatchedConnection:
    user_id: int
    role: Role  # what the connection's subscriptions filter with: a new role needs a new connection
    token_version: int  # the token's: a password change moves the user's past it
    expires_at: datetime | None
    close: CloseConnection
    closing: bool = False


@dataclass(slots=True)
class ConnectionWatch:
    active_users: ActiveUsers  # which of these user ids still exist and are active
    interval: float = 60.0
    connections: dict[int, set[WatchedConnection]] = field(default_factory=dict)
    _task: asyncio.Task[None] | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def add(self, user_id: int, role: Role, token_version: int, expires_at: datetime | None,
            close: CloseConnection) -> WatchedConnection:
        connection = WatchedConnection(user_id, role, token_version, expires_at, close)
        self.connections.setdefault(user_id, set()).add(connection)
        return connection

    def remove(self, connection: WatchedConnection) -> None:
        same_user = self.connections.get(connection.user_id)
        if same_user is not None:
            same_user.discard(connection)
            if not same_user:
                del self.connections[connection.user_id]

    def users_changed(self, user_ids: Iterable[int]) -> None:
        """A ``User`` change arrived: re-check those users now (if connected here)."""
        watched = [pk for pk in set(user_ids) if pk in self.connections]
        if watched:
            self._spawn(self.check(watched))

    async def check(self, user_ids: list[int] | None = None) -> int:
        """Close the connections whose user is gone or inactive, whose role or password changed or
        whose token expired; returns how many."""
        ids = sorted(self.connections) if user_ids is None else user_ids
        if not ids:
            return 0
        active = await self.active_users(ids)
        now = datetime.now(UTC)
        closed = 0
        for user_id in ids:
            for connection in tuple(self.connections.get(user_id, ())):
                if user_id not in active:
                    reason = "Forbidden: the account is no longer active"
                elif active[user_id].role != connection.role:
                    reason = "Forbidden: the account's role changed; reconnect"
                elif active[user_id].token_version != connection.token_version:
                    reason = "Forbidden: the password changed; sign in again"
                elif connection.expires_at is not None and connection.expires_at <= now:
                    reason = "Forbidden: the token expired; reconnect with a new one"
                else:
                    continue
                closed += 1
                self._close(connection, reason)
        return closed

    def _close(self, connection: WatchedConnection, reason: str) -> None:
        if connection.closing:
            return
        connection.closing = True
        self.remove(connection)
        log.info("subscription.access_revoked", user_id=connection.user_id, reason=reason)
        self._spawn(self._send_close(connection, reason))

    async def _send_close(self, connection: WatchedConnection, reason: str) -> None:
        with suppress(Exception):  # the client may be gone already
            await connection.close(FORBIDDEN, reason)

    def _spawn(self, work: Awaitable[object]) -> None:
        async def run() -> None:
            try:
                await work
            except Exception:  # a failed check is retried by the next sweep
                log.exception("connection_watch.check_failed")

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- the periodic sweep ------------------------------------------------------------
    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="connection-watch")

    async def stop(self) -> None:
        for task in (self._task, *self._tasks):
            if task is not None:
                task.cancel()
                with suppress(asyncio.CancelledError, Exception):
                    await task
        self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("connection_watch.sweep_failed")
