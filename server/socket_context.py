"""The context of a websocket connection, with a fresh session and loaders per pushed event.

Strawberry builds one context per websocket and resolves every event of every
subscription on it with that context. Dataloader caches and a session shared
that way would serve stale rows (and one AsyncSession must not be used by two
subscriptions at once), so a subscription resolver opens an ``EventScope``
around each value it yields: while it is active (a ContextVar, so per operation
task) ``ctx.session`` and ``ctx.loaders`` are the scope's own.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.websockets import WebSocket

from dataloaders.registry import Loaders
from db.policies import Viewer
from db.session import SerializedSession
from server.connection_watch import WatchedConnection
from server.context import Context, loaders_for

_BASE_LOADERS: Any = Context.__dict__["loaders"]  # the slot descriptor of Context.loaders
_BASE_SESSION: Any = Context.__dict__["session"]


class EventScope:
    """A session and loaders for resolving one yielded event.

    Nothing here refers back to the scope (the loaders reach the session through a closure over
    ``opened``), so a scope is freed as soon as its event is done: one is opened per fan-out
    execution, and a cycle would leave each one to the garbage collector (issue 12).
    """

    __slots__ = ("_opened", "loaders", "session")

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], viewer: Viewer) -> None:
        opened: list[AsyncSession] = []

        def session() -> AsyncSession:
            if not opened:
                opened.append(SerializedSession(**sessionmaker.kw))
            return opened[0]

        self._opened = opened
        self.session = session
        self.loaders = Loaders(session, lambda: viewer)

    async def close(self) -> None:
        if self._opened:
            await self._opened.pop().close()


_current_scope: ContextVar[EventScope | None] = ContextVar("almanac_event_scope", default=None)


def _get_loaders(self: Context) -> Loaders:
    scope = _current_scope.get()
    if scope is not None:
        return scope.loaders
    try:
        loaders: Loaders = _BASE_LOADERS.__get__(self, type(self))
    except AttributeError:  # first use outside an event scope (see SocketContext.__post_init__)
        loaders = loaders_for(self)
        _BASE_LOADERS.__set__(self, loaders)
    return loaders


def _set_loaders(self: Context, value: Loaders) -> None:
    _BASE_LOADERS.__set__(self, value)


def _get_session(self: Context) -> AsyncSession:
    scope = _current_scope.get()
    return scope.session() if scope is not None else _BASE_SESSION.__get__(self, type(self))


@dataclass(slots=True)
class SocketContext(Context):
    connection_params: dict[str, Any] = field(default_factory=dict)
    watched: WatchedConnection | None = None  # registered with the connection watch once acknowledged

    def __post_init__(self) -> None:
        """No loaders yet: subscriptions resolve with their event scope's, so a connection's own
        (~0.5 KiB, and built for every group execution's context too) come on first use only."""


def watch(ctx: Context, expires_at: datetime | None) -> None:
    """Have the process's connection watch re-check this connection's user (close 4403 when gone)."""
    realtime = getattr(ctx.state, "extras", {}).get("realtime")
    socket = ctx.request
    if not isinstance(ctx, SocketContext) or realtime is None or ctx.user is None or not isinstance(socket, WebSocket):
        return

    async def close(code: int, reason: str) -> None:
        await socket.close(code=code, reason=reason)

    ctx.watched = realtime.watch.add(ctx.user.id, ctx.user.role, ctx.user.token_version, expires_at, close)


def unwatch(ctx: Context) -> None:
    realtime = getattr(ctx.state, "extras", {}).get("realtime")
    if isinstance(ctx, SocketContext) and ctx.watched is not None and realtime is not None:
        realtime.watch.remove(ctx.watched)
        ctx.watched = None


# Deliberate: the subclass shadows Context's slot and property with scope-aware properties,
# which mypy cannot express.
SocketContext.loaders = property(_get_loaders, _set_loaders)  # type: ignore[assignment,misc]
SocketContext.session = property(_get_session)  # type: ignore[assignment,method-assign]


@contextmanager
def event_scope(sessionmaker: async_sessionmaker[AsyncSession], viewer: Viewer) -> Iterator[EventScope]:
    """Activate a fresh scope for the current task until the next event replaces it."""
    scope = EventScope(sessionmaker, viewer)
    token = _current_scope.set(scope)
    try:
        yield scope
    finally:
        try:
            _current_scope.reset(token)
        except ValueError:  # reset from another context (generator closed elsewhere)
            _current_scope.set(None)
