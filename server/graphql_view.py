"""Strawberry's ASGI view, wired to our context and per-operation session."""
from __future__ import annotations

import json
from collections.abc import Awaitable, Mapping
from typing import Any, cast

import orjson
from cross_web import HTTPException
from graphql import GraphQLError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLRequestData
from strawberry.http.streaming import HTTPStreamTransport
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UnsetType

from db.models import User
from schema.core.errors import TopLevelCode
from server.admission import RETRY_AFTER_BUSY_SECONDS, ServerBusy, Shape, admission_of
from server.api_keys import acting_user, is_api_key, principal_for
from server.auth import bearer_token, token_expiry
from server.context import Context
from server.error_boundary import send_graphql_error
from server.legacy_ws import LegacyGraphQLWSHandler
from server.request_limits import JSONTooDeep, decode_json
from server.settings import Settings
from server.socket_context import SocketContext, watch
from server.transport_ws import TransportWSHandler
from server.viewer import user_cache_of, user_for_token

OPERATION_NAME_NOT_TEXT = "The GraphQL operation's `operationName` must be a string or null."  # Strawberry passes any JSON value on
SUBSCRIPTION_OVER_HTTP = ("Subscriptions run over a websocket at this URL (graphql-transport-ws or graphql-ws),"
                          " not over HTTP.")


class AlmanacGraphQL(GraphQL[Context, None]):
    """GraphQL over HTTP (GraphiQL for browsers), graphql-transport-ws and the legacy graphql-ws.

    Both websocket protocols authenticate in ``connection_init`` through ``on_ws_connect``;
    tests/realtime/test_legacy_protocol.py shows the legacy one is as strict as the modern one.
    """

    graphql_ws_handler_class = LegacyGraphQLWSHandler
    graphql_transport_ws_handler_class = TransportWSHandler

    def __init__(self, schema: Any, state: Any, settings: Settings | None = None) -> None:
        settings = settings or Settings()
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
            keep_alive=True,
            keep_alive_interval=15,
            # Attachments (uploadAttachment). Auth is a bearer header, never a cookie, so a
            # cross-site form post cannot act as a user (the CSRF reason it is off by default).
            multipart_uploads_enabled=True,
            max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        )
        self.state = state
        self.max_json_depth = settings.max_json_depth

    async def execute_single(
        self, request: Request, request_adapter: Any, sub_response: Response, context: Context,
        root_value: None, request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Each operation waits for a slot (``server.admission``) before it runs."""
        admission = admission_of(self.state)
        run = self._execute(request_adapter.method, context, root_value, request_data)
        if admission is None:
            return await run
        shape: Shape = (request_data.query or "", request_data.operation_name)
        try:
            async with admission.admit(shape):
                return await run
        except ServerBusy as busy:
            run.close()  # never started
            sub_response.status_code = 503
            sub_response.headers["Retry-After"] = str(RETRY_AFTER_BUSY_SECONDS)
            error = GraphQLError(str(busy), extensions={"code": TopLevelCode.SERVER_BUSY.value,
                                                       "retryAfter": RETRY_AFTER_BUSY_SECONDS})
            return ExecutionResult(data=None, errors=[error])

    async def _execute(self, method: str, context: Context, root_value: None,
                       request_data: GraphQLRequestData) -> ExecutionResult:
        """Strawberry's ``execute_single`` without subscriptions over HTTP when no streaming transport
        serves them: Strawberry allows them on POST, where graphql-core then executed the stream's
        field as a query and failed inside (an INTERNAL error) instead of refusing the request."""
        allowed = OperationType.from_http(method)  # type: ignore[arg-type]
        if not self._stream_transport_map:
            allowed = allowed - {OperationType.SUBSCRIPTION}
        if not self.allow_queries_via_get and method == "GET":
            allowed = allowed - {OperationType.QUERY}
        try:
            return await self.schema.execute(
                request_data.query, root_value=root_value, variable_values=request_data.variables,
                context_value=context, operation_name=request_data.operation_name,
                allowed_operation_types=allowed, operation_extensions=request_data.extensions,
            )
        except CannotGetOperationTypeError as error:
            raise HTTPException(400, error.as_http_error_reason()) from error
        except InvalidOperationTypeError as error:
            if error.operation_type == OperationType.SUBSCRIPTION:
                raise HTTPException(400, SUBSCRIPTION_OVER_HTTP) from error
            raise HTTPException(400, error.as_http_error_reason(method)) from error
        except MissingQueryError as error:
            raise HTTPException(400, "No GraphQL query found in the request") from error

    def encode_json(self, data: object) -> bytes:
        """orjson: ~10x faster than the standard library on large results (plain JSON values only)."""
        return orjson.dumps(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our own GraphiQL page (assets shipped in the package), not Strawberry's CDN one."""
        from server.graphiql import render_page

        return render_page(request)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Strawberry answers its own HTTP errors (bad JSON, wrong method) in plain text; here as GraphQL JSON."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            lean = is_json_post(scope) and not self._stream_transport_map  # a stream transport may claim it
            response = await self.answer_json_post(request) if lean else await self.run(request)
        except (HTTPException, StarletteHTTPException) as error:  # Starlette's: a malformed multipart body
            reason = error.reason if isinstance(error, HTTPException) else str(error.detail)
            code = TopLevelCode.NOT_FOUND if error.status_code == 404 else TopLevelCode.BAD_REQUEST
            await send_graphql_error(send, error.status_code, reason, code.value)
            return
        await response(scope, receive, send)

    async def answer_json_post(self, request: Request) -> Response:
        """Strawberry's ``run`` for the request nearly every client sends: one operation POSTed as JSON.

        ``run`` serves every kind of request alike. For each one it builds a request adapter, checks
        the method, asks whether to render GraphiQL (the ``Accept`` header), parses the content type
        with ``email.message`` and dispatches on the body's shape (batch, streaming, multipart). Here
        the same steps that apply to a JSON POST run in the same order, on the same view methods:
        sub-response, context, body checks (``parse_http_body``'s, with its messages), ``execute_single``
        (admission and ``Schema.execute``), ``process_result``, ``create_response``. A body that is not
        one JSON object (a batch) goes to ``run``. tests/speed/test_lean_http.py sends the same requests
        both ways and compares status, headers and body.
        """
        data = self.parse_json(await request.body())
        if not isinstance(data, dict):
            return await self.run(request)
        request_data = request_data_of(data)
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, response=sub_response)
        result = await self.execute_single(request, self.request_adapter_class(request), sub_response, context,
                                           None, request_data)
        response_data = await self.process_result(request, result)
        if result.errors:
            self._handle_errors(result.errors, response_data)
        return self.create_response(response_data, sub_response)

    def serve_websocket(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        """What ``self(scope, receive, send)`` does for a websocket (Strawberry's ``__call__``), as a
        plain function returning the view's coroutine: the two ``__call__`` frames it skips would be
        held for the connection's life (issue 13). The ASGI caller discards the view's return value."""
        return cast("Awaitable[None]", self.run(WebSocket(scope, receive=receive, send=send)))

    async def parse_http_body(self, request: Any) -> Any:
        data = await super().parse_http_body(request)
        for item in data if isinstance(data, list) else [data]:
            if not isinstance(getattr(item, "operation_name", None), (str, type(None))):
                raise HTTPException(400, OPERATION_NAME_NOT_TEXT)
        return data

    def _get_stream_transport_from_headers(self, headers: Mapping[str, str]) -> HTTPStreamTransport | None:
        """None without looking when no HTTP streaming transport is configured (subscriptions run over
        websockets): Strawberry parses the ``Accept`` header with ``email.message`` to find one, on every
        request (~2 % of a cheap query's CPU)."""
        if not self._stream_transport_map:
            return None
        return super()._get_stream_transport_from_headers(headers)

    def decode_json(self, data: str | bytes) -> object:
        return decode_json(data, self.max_json_depth)

    def parse_json(self, data: str | bytes) -> Any:
        try:
            value = self.decode_json(data)
        except JSONTooDeep as error:
            raise HTTPException(400, f"The request body nests JSON deeper than {error.limit} levels.") from None
        except json.JSONDecodeError:
            raise HTTPException(400, "The request body is not valid JSON.") from None
        if not isinstance(value, (dict, list)):
            raise HTTPException(400, 'The request body must be a JSON object: {"query": ..., "variables": {...}}.')
        return value

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        header = request.headers.get("authorization") if isinstance(request, Request) else None
        context_class = Context if isinstance(request, Request) else SocketContext
        ctx = context_class(
            settings=self.state.settings,
            sessionmaker=self.state.sessionmaker,
            read_sessionmaker=self.state.read_sessionmaker,
            notifier=self.state.notifier,
            request=request,
            response=response,
            state=self.state,
        )
        token = bearer_token(header) if header else None
        try:
            if is_api_key(token):
                assert token is not None
                ctx.api_key = await principal_for(ctx.sessionmaker, token)
                ctx.user = acting_user(ctx.api_key) if ctx.api_key is not None else None
            elif token:
                ctx.user = await load_user_for_token(ctx, token)
        except PoolTimeout:  # every connection busy for ALMANAC_DB_POOL_TIMEOUT: shed the request, do not crash
            raise HTTPException(503, "The server is busy; retry in a few seconds.") from None
        return ctx

    async def on_ws_connect(self, context: Context) -> UnsetType:
        """``connection_init`` payload ``{"Authorization": "Bearer <JWT>"}``, else refused.

        Refused means close 4403 on graphql-transport-ws; ``connection_error`` then close 1011 on graphql-ws.
        """
        params = getattr(context, "connection_params", None) or {}
        header = params.get("Authorization") or params.get("authorization")
        token = bearer_token(header if isinstance(header, str) else None)
        user = await load_user_for_token(context, token)
        if user is None or token is None:
            raise ConnectionRejectionError({"reason": "A valid bearer token is required in connection_init."})
        context.user = user
        watch(context, token_expiry(token, context.settings.secret_key))  # re-checked until the socket closes
        params.clear()  # the bearer token is not kept for the connection's life (nor its bytes, issue 13)
        return UnsetType()  # the UNSET singleton, typed (strawberry.UNSET is declared Any)


def is_json_post(scope: Scope) -> bool:
    """A POST whose ``Content-Type`` is ``application/json`` (parameters allowed), as ``parse_http_body`` reads it."""
    if scope["method"] != "POST":
        return False
    for name, value in scope["headers"]:
        if name == b"content-type":
            media_type: bytes = value.split(b";", 1)[0].strip().lower()
            return media_type == b"application/json"
    return False


def request_data_of(data: dict[str, Any]) -> GraphQLRequestData:
    """One operation's fields, checked as Strawberry's ``parse_http_body`` checks them (same messages)."""
    query, variables, extensions = data.get("query"), data.get("variables"), data.get("extensions")
    if not isinstance(query, (str, type(None))):
        raise HTTPException(400, "The GraphQL operation's `query` must be a string or null, if provided.")
    if not isinstance(variables, (dict, type(None))):
        raise HTTPException(400, "The GraphQL operation's `variables` must be an object or null, if provided.")
    if not isinstance(extensions, (dict, type(None))):
        raise HTTPException(400, "The GraphQL operation's `extensions` must be an object or null, if provided.")
    operation_name = data.get("operationName")
    if not isinstance(operation_name, (str, type(None))):
        raise HTTPException(400, OPERATION_NAME_NOT_TEXT)
    return GraphQLRequestData(query=query, variables=variables, operation_name=operation_name,
                              extensions=extensions, protocol="http")


async def load_user_for_token(ctx: Context, token: str | None) -> User | None:
    """The active user the token names (cached per process; see ``server.viewer``)."""
    return await user_for_token(
        token, secret=ctx.settings.secret_key, cache=user_cache_of(ctx.state),
        sessionmaker=ctx.read_sessionmaker or ctx.sessionmaker,
    )
