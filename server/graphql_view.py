"""Strawberry's ASGI view, wired to our context and per-operation session."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from db.models import User
from server.auth import bearer_token, user_id_from_token
from server.context import Context
from server.legacy_ws import LegacyGraphQLWSHandler
from server.socket_context import SocketContext


class AlmanacGraphQL(GraphQL[Context, None]):
    """GraphQL over HTTP (GraphiQL for browsers), graphql-transport-ws and the legacy graphql-ws.

    Both websocket protocols authenticate in ``connection_init`` through ``on_ws_connect``;
    tests/realtime/test_legacy_protocol.py shows the legacy one is as strict as the modern one.
    """

    graphql_ws_handler_class = LegacyGraphQLWSHandler

    def __init__(self, schema: Any, state: Any) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql",
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
            keep_alive=True,
            keep_alive_interval=15,
        )
        self.state = state

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        header = request.headers.get("authorization") if isinstance(request, Request) else None
        context_class = Context if isinstance(request, Request) else SocketContext
        ctx = context_class(
            settings=self.state.settings,
            sessionmaker=self.state.sessionmaker,
            notifier=self.state.notifier,
            request=request,
            response=response,
            state=self.state,
        )
        if header:
            ctx.user = await load_user_for_token(ctx, bearer_token(header))
        return ctx

    async def on_ws_connect(self, context: Context) -> UnsetType:
        """``connection_init`` payload ``{"Authorization": "Bearer <JWT>"}``, else refused.

        Refused means close 4403 on graphql-transport-ws; ``connection_error`` then close 1011 on graphql-ws.
        """
        params = getattr(context, "connection_params", None) or {}
        header = params.get("Authorization") or params.get("authorization")
        user = await load_user_for_token(context, bearer_token(header if isinstance(header, str) else None))
        if user is None:
            raise ConnectionRejectionError({"reason": "A valid bearer token is required in connection_init."})
        context.user = user
        return UnsetType()  # the UNSET singleton, typed (strawberry.UNSET is declared Any)


async def load_user_for_token(ctx: Context, token: str | None) -> User | None:
    if not token:
        return None
    user_id = user_id_from_token(token, ctx.settings.secret_key)
    if user_id is None:
        return None
    async with ctx.sessionmaker() as session:
        user = await session.scalar(select(User).where(User.id == user_id, User.is_active.is_(True)))
    return user
