"""Bearer token -> the signed-in user: one narrow query, cached for a few seconds per process.

The query selects only what requests read of their user (no password hash): the row comes
back with every other column deferred and every relation refused, so code that needs more
loads it itself instead of finding a stale or secret value here.

Cached users are dropped when the change log reports a change of that user (the broker
calls ``UserCache.on_change`` for every change in every process), and in any case after
``ALMANAC_USER_CACHE_SECONDS`` (default 5 s; 0 turns the cache off), which bounds how long
a deactivation written outside the change log still lets a token through. A token whose
version is not the user's ``token_version`` (a password changed since) names nobody.
Cached rows are shared by concurrent requests: treat ``ctx.user`` as read-only.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import load_only, raiseload

from db.models import User
from server.auth import TokenSubject, token_subject
from server.changes import Change

USER_ENTITY = "User"
USER_CACHE_KEY = "user_cache"  # AppState.extras
MAX_CACHED_USERS = 10_000
MAX_USERS_PER_READ = 500  # one batched sign-in read: well under PostgreSQL's 32,767 parameters
VIEWER_COLUMNS = (User.id, User.email, User.name, User.role, User.timezone, User.is_active, User.token_version)


class UserCache:
    def __init__(self, ttl_seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl_seconds
        self.clock = clock
        self._users: dict[int, tuple[float, User]] = {}
        # Verified tokens -> their subject: a signature checked once per token, not per request.
        self._tokens: dict[str, TokenSubject] = {}
        # Lookups in flight: when a cached user expires under load, the requests that miss at
        # the same moment share one SELECT instead of each taking a connection for it.
        self._loading: dict[int, asyncio.Future[User | None]] = {}
        # Misses of different users gathered while the loop runs what is ready now (a reconnect
        # storm's connection_inits): read with one SELECT instead of a connection and a query each.
        self._batch: dict[int, asyncio.Future[User | None]] | None = None
        self._batch_maker: async_sessionmaker[AsyncSession] | None = None
        self._reading: set[asyncio.Task[None]] = set()

    async def load(self, user_id: int, lookup: Callable[[], Awaitable[User | None]]) -> User | None:
        """The cached user, else one shared ``lookup()`` for every concurrent miss of ``user_id``."""
        user = self.get(user_id)
        if user is not None:
            return user
        pending = self._loading.get(user_id)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[User | None] = asyncio.get_running_loop().create_future()
        self._loading[user_id] = future
        try:
            user = await lookup()
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: a lookup nobody else waited for logs nothing extra
            raise
        finally:
            self._loading.pop(user_id, None)
        future.set_result(user)
        if user is not None:
            self.put(user)
        return user

    def batched(self, sessionmaker: async_sessionmaker[AsyncSession], user_id: int) -> asyncio.Future[User | None]:
        """``user_id``'s row, read together with the other misses of this loop iteration."""
        loop = asyncio.get_running_loop()
        batch = self._batch
        if batch is None or self._batch_maker is not sessionmaker or len(batch) >= MAX_USERS_PER_READ:
            batch = self._batch = {}
            self._batch_maker = sessionmaker
            loop.call_soon(self._read_batch, batch, sessionmaker)
        future = batch.get(user_id)
        if future is None:
            future = batch[user_id] = loop.create_future()
        return future

    def _read_batch(self, batch: dict[int, asyncio.Future[User | None]],
                    sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        if self._batch is batch:
            self._batch = None

        async def read() -> None:
            waiting = [f for f in batch.values() if not f.done()]  # a waiter gone (socket closed) cancelled its own
            try:
                found = await load_active_users(sessionmaker, list(batch)) if waiting else {}
            except asyncio.CancelledError:
                for future in waiting:
                    future.cancel()
                raise
            except BaseException as error:
                for future in waiting:
                    if not future.done():
                        future.set_exception(error)
                raise
            for user_id, future in batch.items():
                if not future.done():
                    future.set_result(found.get(user_id))

        task = asyncio.get_running_loop().create_task(read())
        self._reading.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self._reading.discard)
        task.add_done_callback(_retrieve)

    def subject(self, token: str, secret: str) -> TokenSubject | None:
        """Who a valid token names, verified once and then remembered until it expires."""
        known = self._tokens.get(token)
        if known is not None:
            if known.expires > time.time():
                return known
            del self._tokens[token]  # expired: its expiry is part of the signed token
            return None
        subject = token_subject(token, secret)
        if subject is None:
            self._tokens.pop(token, None)
            return None
        if self.ttl > 0:
            if len(self._tokens) >= MAX_CACHED_USERS:
                self._tokens.clear()
            self._tokens[token] = subject
        return subject

    def get(self, user_id: int) -> User | None:
        entry = self._users.get(user_id)
        if entry is None:
            return None
        if entry[0] <= self.clock():
            self._users.pop(user_id, None)
            return None
        return entry[1]

    def put(self, user: User) -> None:
        if self.ttl <= 0:
            return
        if len(self._users) >= MAX_CACHED_USERS:
            self._users.clear()  # at this size a sweep costs more than reloading the few active users
        self._users[user.id] = (self.clock() + self.ttl, user)

    def forget(self, user_id: int) -> None:
        self._users.pop(user_id, None)

    def on_change(self, change: Change) -> None:
        if change.entity_type == USER_ENTITY:
            self.forget(change.entity_id)


def _retrieve(task: asyncio.Task[None]) -> None:
    """A failed batch read's error reached its waiters; the task's own copy is not logged again."""
    if not task.cancelled():
        task.exception()


async def load_active_user(sessionmaker: async_sessionmaker[AsyncSession], user_id: int) -> User | None:
    """One SELECT of the viewer's columns; None for an unknown or deactivated user."""
    return (await load_active_users(sessionmaker, [user_id])).get(user_id)


async def load_active_users(sessionmaker: async_sessionmaker[AsyncSession], user_ids: list[int]) -> dict[int, User]:
    """One SELECT of the viewer's columns of each active user of ``user_ids``."""
    async with sessionmaker() as session:
        users = (await session.scalars(
            select(User)
            .options(load_only(*VIEWER_COLUMNS), raiseload("*"))
            .where(User.id.in_(user_ids), User.is_active.is_(True))
        )).all()
        return {user.id: user for user in users}


def user_cache_of(state: Any) -> UserCache:
    """The app's cache (``server.app.AppState``); a disabled one before the lifespan made it."""
    extras: dict[str, Any] = state.extras
    cache: UserCache | None = extras.get(USER_CACHE_KEY)
    return cache if cache is not None else UserCache(0)


async def user_for_token(
    token: str | None, *, secret: str, cache: UserCache, sessionmaker: async_sessionmaker[AsyncSession]
) -> User | None:
    if not token:
        return None
    subject = cache.subject(token, secret)
    if subject is None:
        return None
    lookup = partial(cache.batched, sessionmaker, subject.user_id)
    user = await cache.load(subject.user_id, lookup)
    if user is not None and user.token_version < subject.version:
        # A token newer than the cached row: the password changed and this process has not yet
        # seen the change row. Reload rather than refuse the token changePassword just answered.
        cache.forget(subject.user_id)
        user = await cache.load(subject.user_id, lookup)
    if user is None or user.token_version != subject.version:
        return None  # issued before the user's last password change (db.queries.user.revoke_tokens)
    return user
