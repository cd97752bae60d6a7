"""The ``graphql-transport-ws`` handler: tells a subscription resolver which operation
it serves, so the resolver can join a subscription group instead of being executed
once per change by graphql-core (see server/fanout.py).

Strawberry runs each operation in a task of its own; ``current_operation`` is set
at the top of that task, so only that operation's resolver sees it. The legacy
``graphql-ws`` handler does not set it: its subscriptions keep the per-subscriber path.

Hand-over: once its group serves a subscription, the resolver calls ``hand_over`` and
returns. Strawberry's operation then ends (its task, its extensions' open contexts, its
execution context: about a third of an idle subscriber's memory), but the operation
stays registered: its id stays taken, no ``complete`` goes to the client, and
``release`` (leaving the group) runs when the client completes it or the connection
ends, as cancelling the task did before.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
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


@dataclass(eq=False, slots=True)
class OperationRef:
    """What a group needs to execute and address one client's subscription."""

    id: str
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    socket: WebSocket
    schema: Any  # the Strawberry schema (its graphql-core schema executes the group's document)
    release: Callable[[], None] | None = None  # set once handed over: ends the subscription where it is served

    @property
    def handed_over(self) -> bool:
        return self.release is not None

    def hand_over(self, release: Callable[[], None]) -> None:
        """The subscription lives on without its Strawberry task; ``release`` ends it."""
        self.release = release

    def also_on_release(self, then: Callable[[], None]) -> None:
        """Run ``then`` after the release (what an ending operation would have done)."""
        first = self.release
        assert first is not None

        def both() -> None:
            try:
                first()
            finally:
                then()

        self.release = both

    def release_now(self) -> None:
        release, self.release = self.release, None
        if release is not None:
            release()


current_operation: ContextVar[OperationRef | None] = ContextVar("almanac_ws_operation", default=None)


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refs: dict[str, OperationRef] = {}  # by operation id, while running or handed over

    async def handle(self) -> None:
        try:
            await super().handle()
        finally:
            unwatch(self.context)

    def on_request_accepted(self) -> None:
        super().on_request_accepted()
        timeout = self.connection_init_timeout_task
        if timeout is not None:
            timeout.add_done_callback(self._forget_init_timeout)

    def _forget_init_timeout(self, task: asyncio.Task[None]) -> None:
        """A finished (cancelled once the connection was acknowledged) init timeout would stay referenced
        for the connection's life, and with it its coroutine and the CancelledError's frames (~1.3 KiB)."""
        if self.connection_init_timeout_task is task:
            self.connection_init_timeout_task = None

    async def handle_message(self, message: Any) -> None:  # Any: what arrives, before it is checked
        """A frame that is JSON but not an object (``null``, ``[]``, ``5``), or whose ``id`` is not a
        string, is a malformed message (4400), not a TypeError escaping the handler (found by
        tests/security/test_http_fuzz.py)."""
        if not isinstance(message, dict) or not isinstance(message.get("id", ""), str):
            await self.handle_invalid_message("Failed to parse message")
            return
        try:
            await super().handle_message(cast("Message", message))
        finally:
            # Strawberry's receive loop keeps its last message in a local while it waits for the next:
            # for an idle subscriber, the subscribe message for the connection's life. What it asked
            # for is held where it is used (the operation's query and variables).
            message.clear()

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        socket = getattr(self.context, "request", None)
        if not isinstance(socket, WebSocket):
            await super().run_operation(operation)
            return
        ref = self.refs[operation.id] = OperationRef(
            id=operation.id, query=operation.query, variables=operation.variables,
            operation_name=operation.operation_name, socket=socket, schema=self.schema,
        )
        current_operation.set(ref)
        try:
            await super().run_operation(operation)
        finally:
            if ref.handed_over:
                # The operation stays registered (its id taken) without its finished task and coroutine.
                operation.task = None
            elif self.refs.get(operation.id) is ref:
                del self.refs[operation.id]

    def _handed_over(self, operation_id: Any) -> bool:
        ref = self.refs.get(operation_id) if isinstance(operation_id, str) else None
        return ref is not None and ref.handed_over

    def forget_id(self, id: str) -> None:
        if not self._handed_over(id):  # a handed-over id stays taken until released
            super().forget_id(id)

    async def send_message(self, message: Message) -> None:
        if message.get("type") == "complete" and self._handed_over(message.get("id")):
            return  # the end of the Strawberry stream, not of the subscription
        await super().send_message(message)

    async def cleanup_operation(self, operation_id: str) -> None:
        ref = self.refs.pop(operation_id, None)
        try:
            if ref is not None:
                ref.release_now()
        finally:
            operation = self.operations.get(operation_id)
            if operation is not None and operation.task is None:  # handed over: no task left to cancel
                del self.operations[operation_id]
            else:
                await super().cleanup_operation(operation_id)
