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
from typing import Any

from starlette.websockets import WebSocket
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)

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

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        socket = getattr(self.context, "request", None)
        if isinstance(socket, WebSocket):
            current_operation.set(OperationRef(
                id=operation.id, query=operation.query, variables=operation.variables,
                operation_name=operation.operation_name, socket=socket, schema=self.schema,
            ))
        await super().run_operation(operation)
