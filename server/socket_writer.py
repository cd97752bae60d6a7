"""Writes pre-serialized frames to one websocket without ever blocking the writer's caller.

A subscription group sends one change to a thousand sockets from ONE task; if it
awaited a socket whose client stopped reading, every other member would wait too.
So a frame goes out at once while the socket is writable (uvicorn's protocol
exposes that as an ``asyncio.Event``; ``send_text`` then completes without
suspending), and otherwise joins a short backlog that a task of its own drains. A
backlog past ``max_backlog`` frames means a client that does not keep up: the
caller closes it with 4008.
"""
from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from starlette.websockets import WebSocket


def find_writable(send: Callable[..., Any]) -> asyncio.Event | None:
    """The server protocol's "transport accepts writes" event behind an ASGI ``send``.

    Starlette wraps uvicorn's ``WebSocketProtocol.send`` in closures; follow them to the
    bound method whose owner has a ``writable`` event. None for a server without one
    (then every frame goes through the backlog task: slower, never blocking).
    """
    todo: list[Any] = [send]
    for _ in range(32):
        if not todo:
            return None
        fn = todo.pop()
        writable = getattr(getattr(fn, "__self__", None), "writable", None)
        if isinstance(writable, asyncio.Event):
            return writable
        for cell in getattr(fn, "__closure__", None) or ():
            with suppress(ValueError):  # an empty cell
                if callable(cell.cell_contents):
                    todo.append(cell.cell_contents)
    return None


class SocketWriter:
    __slots__ = ("_backlog", "_flusher", "_socket", "_writable", "failed", "max_backlog")

    def __init__(self, socket: WebSocket, *, max_backlog: int) -> None:
        self._socket = socket
        self._writable = find_writable(socket._send)
        self._backlog: deque[str] = deque()
        self._flusher: asyncio.Task[None] | None = None
        self.max_backlog = max_backlog
        self.failed = False  # the socket is gone: stop writing to it

    async def write(self, frame: str) -> bool:
        """Send ``frame`` now or queue it; False when the backlog is full (a slow consumer)."""
        if self.failed:
            return True
        if not self._backlog and self._writable is not None and self._writable.is_set():
            try:
                await self._socket.send_text(frame)
            except Exception:  # disconnected meanwhile; the connection's shutdown removes the member
                self.failed = True
            return True
        if len(self._backlog) >= self.max_backlog:
            return False
        self._backlog.append(frame)
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush())
        return True

    async def _flush(self) -> None:
        try:
            while self._backlog and not self.failed:
                await self._socket.send_text(self._backlog[0])
                self._backlog.popleft()
        except Exception:
            self.failed = True
            self._backlog.clear()
        finally:
            self._flusher = None

    def stop(self) -> None:
        self.failed = True
        self._backlog.clear()
        if self._flusher is not None:
            self._flusher.cancel()
