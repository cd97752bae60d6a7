"""The legacy ``graphql-ws`` subprotocol, held to the rules of ``graphql-transport-ws``.

Strawberry's legacy handler authenticates ``connection_init`` through the same
``on_ws_connect`` hook and refuses ``start`` before the ack (4401), but unlike
the modern handler it:

- accepts a second ``connection_init``, which re-runs ``on_ws_connect`` and can
  switch the connection's user under running subscriptions (and leaks the first
  keep-alive task): here it closes with 4429, as graphql-transport-ws does;
- waits forever for ``connection_init``: here it closes with 4408 after the
  view's ``connection_init_wait_timeout``;
- crashes on a message without ``type``/``id``/``payload.query`` (KeyError,
  no close frame): here it closes with 4400.
"""
from __future__ import annotations

import asyncio
from typing import Any

from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import OperationMessage

from server.context import Context
from server.socket_context import unwatch

BAD_REQUEST = 4400
INIT_TIMEOUT = 4408
TOO_MANY_INITIALISATION_REQUESTS = 4429


def is_malformed(message: Any) -> bool:
    """True for a message the stock handler would crash on."""
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return True
    if message["type"] in {"start", "stop"} and not isinstance(message.get("id"), str):
        return True
    if message["type"] == "start":
        payload = message.get("payload")
        return not (isinstance(payload, dict) and isinstance(payload.get("query"), str))
    return False


class LegacyGraphQLWSHandler(BaseGraphQLWSHandler[Context, None]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connection_init_received = False

    async def handle(self) -> None:
        timeout = asyncio.create_task(self.close_unless_initialised())
        try:
            await super().handle()
        finally:
            timeout.cancel()
            unwatch(self.context)

    async def close_unless_initialised(self) -> None:
        await asyncio.sleep(self.view.connection_init_wait_timeout.total_seconds())
        if not self.connection_init_received:
            await self.websocket.close(code=INIT_TIMEOUT, reason="Connection initialisation timeout")

    async def handle_message(self, message: OperationMessage) -> None:
        if is_malformed(message):
            await self.websocket.close(code=BAD_REQUEST, reason="Malformed message")
            return
        if message["type"] == "connection_init":
            if self.connection_init_received:
                await self.websocket.close(code=TOO_MANY_INITIALISATION_REQUESTS,
                                           reason="Too many initialisation requests")
                return
            self.connection_init_received = True
        await super().handle_message(message)
