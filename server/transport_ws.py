"""The ``graphql-transport-ws`` handler: tells a subscription resolver which operation
it serves, so the resolver can join a subscription group instead of being executed
once per change by graphql-core (see server/fanout.py).

Strawberry runs each operation in a task of its own; ``current_operation`` is set
at the top of that task, so only that operation's resolver sees it. The legacy
``graphql-ws`` handler does not set it: its subscriptions keep the per-subscriber path.
"""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast

from starlette.websockets import WebSocket
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message

from server.context import Context
from server.socket_context import unwatch


@dataclass(frozen=True, slots=True)
class OperationRef:
    """What a group needs to execute and address one client's subscription."""

    id: str
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    socket: WebSocket
    schema: Any  # the Strawberry schema (its graphql-core schema executes the group's document)


current_operation: ContextVar[OperationRef | None] = ContextVar("almanac_ws_operation", default=None)


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    async def handle(self) -> None:
        try:
            await super().handle()
        finally:
            unwatch(self.context)

    async def handle_message(self, message: Any) -> None:  # Any: what arrives, before it is checked
        """A frame that is JSON but not an object (``null``, ``[]``, ``5``) is a malformed message
        (4400), not a TypeError escaping the handler (found by tests/security/test_http_fuzz.py)."""
        if not isinstance(message, dict):
            await self.handle_invalid_message("Failed to parse message")
            return
        await super().handle_message(cast("Message", message))

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        socket = getattr(self.context, "request", None)
        if isinstance(socket, WebSocket):
            current_operation.set(OperationRef(
                id=operation.id, query=operation.query, variables=operation.variables,
                operation_name=operation.operation_name, socket=socket, schema=self.schema,
            ))
        await super().run_operation(operation)
