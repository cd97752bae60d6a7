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


async def load_active_user(sessionmaker: async_sessionmaker[AsyncSession], user_id: int) -> User | None:
    """One SELECT of the viewer's columns; None for an unknown or deactivated user."""
    async with sessionmaker() as session:
        user: User | None = await session.scalar(
            select(User)
            .options(load_only(*VIEWER_COLUMNS), raiseload("*"))
            .where(User.id == user_id, User.is_active.is_(True))
        )
        return user


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
    lookup = partial(load_active_user, sessionmaker, subject.user_id)
    user = await cache.load(subject.user_id, lookup)
    if user is not None and user.token_version < subject.version:
        # A token newer than the cached row: the password changed and this process has not yet
        # seen the change row. Reload rather than refuse the token changePassword just answered.
        cache.forget(subject.user_id)
        user = await cache.load(subject.user_id, lookup)
    if user is None or user.token_version != subject.version:
        return None  # issued before the user's last password change (db.queries.user.revoke_tokens)
    return user
