"""Writes pre-serialized frames to one websocket without ever blocking the writer's caller.

A subscription group sends one change to a thousand sockets from ONE task; if it
awaited a socket whose client stopped reading, every other member would wait too.
So frames go out at once while the socket is writable (uvicorn's protocol exposes
that as an ``asyncio.Event``), and otherwise join a short backlog that a task of
its own drains (the only task a writer ever has, and only while it is behind). A
backlog past ``max_backlog`` frames means a client that does not keep up: the
caller closes it with 4008.

Fast path: on uvicorn's sans-I/O websocket protocol with no extension negotiated
(the server turns permessage-deflate off), a text frame from server to client is
just a header and the UTF-8 bytes, identical for every member with the same
operation id. The group builds those bytes once and the writer hands them to the
transport directly, skipping Starlette's, uvicorn's and websockets' per-message
work (three quarters of a member's cost in the profile). Anything else (another
server, deflate, a closing connection, a paused transport) takes the ASGI path.
"""
from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from contextlib import suppress
from typing import Any, Protocol

from starlette.websockets import WebSocket
from websockets.protocol import State

from server.lean_asyncio import Flag


class Writable(Protocol):
    """uvicorn's ``writable``: an ``asyncio.Event``, or server.lean_asyncio's ``Flag``."""

    def is_set(self) -> bool: ...


def find_protocol(send: Callable[..., Any]) -> Any:
    """The server's websocket protocol object behind an ASGI ``send``, if it has a ``writable`` event.

    Starlette wraps uvicorn's ``WebSocketProtocol.send`` in closures; follow them to the
    bound method whose owner has a ``writable`` event. None for a server without one
    (then every frame goes through the backlog task: slower, never blocking).
    """
    todo: list[Any] = [send]
    for _ in range(32):
        if not todo:
            return None
        fn = todo.pop()
        owner = getattr(fn, "__self__", None)
        if isinstance(getattr(owner, "writable", None), (asyncio.Event, Flag)):
            return owner
        for cell in getattr(fn, "__closure__", None) or ():
            with suppress(ValueError):  # an empty cell
                if callable(cell.cell_contents):
                    todo.append(cell.cell_contents)
    return None


def text_frame(data: bytes) -> bytes:
    """An unmasked, unfragmented websocket text frame (RFC 6455 5.2) as a server sends it."""
    size = len(data)
    if size < 126:
        header = bytes((0x81, size))
    elif size < 65536:
        header = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + size.to_bytes(8, "big")
    return header + data


def raw_transport(protocol: Any) -> Any:
    """The transport to write whole frames to, while that is exactly what the protocol would write."""
    conn = getattr(protocol, "conn", None)
    if (conn is None or getattr(conn, "extensions", True) or getattr(conn, "state", None) is not State.OPEN
            or protocol.close_sent or protocol.disconnected or not protocol.handshake_complete):
        return None
    return protocol.transport


class SocketWriter:
    """One member's end of a group's writes: synchronous, so a group writes a thousand sockets
    without creating a coroutine, task or future per socket."""

    __slots__ = ("_backlog", "_flusher", "_protocol", "_socket", "_writable", "failed", "max_backlog")

    def __init__(self, socket: WebSocket, *, max_backlog: int) -> None:
        self._socket = socket
        self._protocol = find_protocol(socket._send)
        self._writable: Writable | None = self._protocol.writable if self._protocol is not None else None
        self._backlog: deque[str] | None = None  # only while behind: an empty deque is 760 bytes
        self._flusher: asyncio.Task[None] | None = None
        self.max_backlog = max_backlog
        self.failed = False  # the socket is gone: stop writing to it

    def write(self, texts: list[str], encoded: bytes) -> bool:
        """Send the frames ``texts`` now or queue them; False when the backlog is full (a slow consumer).

        ``encoded`` is the frames as they go on the wire, ``text_frame(text.encode())`` of each
        text joined (built once per operation id by the group): one transport write for all.
        """
        if self.failed:
            return True
        backlog = self._backlog
        if not backlog and self._writable is not None and self._writable.is_set():
            transport = raw_transport(self._protocol)
            if transport is not None:
                try:
                    transport.write(encoded)
                except Exception:  # disconnected meanwhile; the connection's shutdown removes the member
                    self.failed = True
                return True
        if backlog is None:
            backlog = self._backlog = deque()
        if len(backlog) + len(texts) > self.max_backlog:
            return False
        backlog.extend(texts)
        if self._flusher is None:
            self._flusher = asyncio.get_running_loop().create_task(self._flush())
        return True

    async def _flush(self) -> None:
        backlog = self._backlog
        assert backlog is not None
        try:
            while backlog and not self.failed:
                await self._socket.send_text(backlog[0])
                backlog.popleft()
        except Exception:
            self.failed = True
            backlog.clear()
        finally:
            self._flusher = None
            if not backlog and self._backlog is backlog:
                self._backlog = None

    def stop(self) -> None:
        self.failed = True
        if self._backlog is not None:
            self._backlog.clear()
        if self._flusher is not None:
            self._flusher.cancel()
