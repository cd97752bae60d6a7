"""uvicorn's httptools protocol, writing each response's head and body in one system call.

uvicorn writes the status line and headers as soon as the app sends ``http.response.start``
and the body at ``http.response.body``: two ``write`` calls, so two trips through the kernel's
TCP stack, for every response. For cheap operations (``{ __typename }``, ``me { id }``) those
writes were 29 % of the server's CPU (py-spy, 50 clients, issue 12). Here the head waits for
the body's first write (or the connection's close) and both go out in one ``writev``: the same
bytes in the same order. WebSocket upgrades never reach this (uvicorn hands them to its
websocket protocol before a response cycle exists).
"""
from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class HeadWithBody:
    """The transport one request/response cycle writes to (every other call goes to the real one)."""

    __slots__ = ("_first", "_head", "_transport")

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._head: bytes | None = None
        self._first = True

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._first and data != CONTINUE:
            self._first = False
            self._head = bytes(data)  # the status line and headers: held for the body
            return
        head = self._head
        if head is None:
            self._transport.write(data)
            return
        self._head = None
        self._transport.writelines((head, data))  # uvloop and asyncio both send these with one writev

    def flush(self) -> None:
        head = self._head
        if head is not None:
            self._head = None
            self._transport.write(head)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class AlmanacHttpProtocol(HttpToolsProtocol):
    """``uvicorn --http server.http_protocol:AlmanacHttpProtocol``: httptools, one write per small response,
    and one keep-alive timer per idle connection instead of one per response.

    uvicorn arms a new ``call_later`` when each response completes and cancels it when the next
    request's bytes arrive: a timer made and cancelled per request (~5 % of a ``{ __typename }``
    request's CPU). Here the response only records when the connection went idle; a single timer
    per connection checks at the deadline and re-arms for the rest when a later response moved it.
    The connection still closes ``timeout_keep_alive`` seconds after its last response, unless a
    request arrived.
    """

    _idle_since: float | None = None  # loop time the last response completed; None while a request runs
    _idle_timer: asyncio.TimerHandle | None = None

    def _unset_keepalive_if_required(self) -> None:
        self._idle_since = None
        super()._unset_keepalive_if_required()

    def on_response_complete(self) -> None:
        """uvicorn's, with the keep-alive deadline recorded instead of a timer armed."""
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self._unset_keepalive_if_required()
        self.flow.resume_reading()
        if self.pipeline:
            cycle, app = self.pipeline.pop()
            self._start_asgi_task(cycle, app)
            return
        self._idle_since = self.loop.time()
        if self._idle_timer is None:
            self._idle_timer = self.loop.call_later(self.timeout_keep_alive, self._keep_alive_check)

    def _keep_alive_check(self) -> None:
        self._idle_timer = None
        since = self._idle_since
        if since is None:
            return  # a request is running: its response arms the check again
        remaining = since + self.timeout_keep_alive - self.loop.time()
        if remaining > 0:
            self._idle_timer = self.loop.call_later(remaining, self._keep_alive_check)
        else:
            self.timeout_keep_alive_handler()

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None

    def on_headers_complete(self) -> None:
        previous = self.cycle
        super().on_headers_complete()
        cycle = self.cycle
        # A HEAD response writes no body, so its head would wait for the connection's close.
        if cycle is not previous and cycle is not None and cycle.scope["method"] != "HEAD":
            cycle.transport = HeadWithBody(cycle.transport)  # type: ignore[assignment]
