"""uvicorn's sans-I/O websocket protocol, holding less per open connection (issue 13).

An idle subscriber is mostly fixed per-connection state, so a few hundred bytes each are
what 10,000 connections cost in megabytes. Against ``WebSocketsSansIOProtocol`` this:

* lets go of the handshake's parsed request headers and response (``websockets`` ``Headers``,
  both header lists, ~2.9 KiB) once the handshake is answered: uvicorn reads them only to answer it;
* replaces the receive ``asyncio.Queue`` and the ``writable`` ``asyncio.Event`` with
  server.lean_asyncio's ``Inbox`` and ``Flag`` (~4 KiB less, see there).

Same behaviour otherwise: the base class's code uses only the methods these provide.
``SERVER_WS_OPTIONS`` are the websocket settings of every server this project starts
(``almanac serve``, the tests' live servers, the benches), so they all run this class.
"""
from __future__ import annotations

from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from server.lean_asyncio import Flag, Inbox


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = Inbox()  # type: ignore[assignment]  # duck-typed: see the module docstring
        self.writable = Flag(True)  # type: ignore[assignment]

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        # The scope has its own copy of the headers. ``websockets``' parser keeps the request in
        # its generator's frame for the life of the connection, so emptying it is what frees them.
        event.headers.clear()
        del self.request

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept" and "response" in self.__dict__:
            del self.response  # the handshake is answered


SERVER_WS_OPTIONS: dict[str, Any] = {
    "ws": LeanWebSocketProtocol,
    # Deflate doubled memory per websocket (181 vs 82 KiB) and costs CPU on fan-out; payloads are small JSON.
    "ws_per_message_deflate": False,
}
