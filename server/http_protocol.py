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
    """``uvicorn --http server.http_protocol:AlmanacHttpProtocol``: httptools, one write per small response."""

    def on_headers_complete(self) -> None:
        previous = self.cycle
        super().on_headers_complete()
        cycle = self.cycle
        if cycle is not previous and cycle is not None:
            cycle.transport = HeadWithBody(cycle.transport)  # type: ignore[assignment]
