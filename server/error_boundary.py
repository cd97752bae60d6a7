"""The one place an unexpected exception becomes an answer: GraphQL-shaped JSON, never driver text.

``ErrorBoundary`` is the outermost ASGI middleware. Whatever escapes the app (a database
outage while the token is looked up in ``get_context``, a failure while a session is closed,
a bug) is logged once with a trace id and answered as
``{"data": null, "errors": [{"message": ..., "extensions": {"code": "INTERNAL", "traceId": ...}}]}``:
503 with ``Retry-After`` when the database or Redis is unreachable, 500 otherwise. A websocket
is closed with 1013 (try again later) during an outage and 1011 (internal error) otherwise.
GraphQL errors inside an operation are masked by ``schema.core.extensions.coded`` (run for every operation by ``server.operation``);
this catches what happens around it.
"""
from __future__ import annotations

import json
import uuid
from typing import Any

import structlog
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schema.core.errors import TopLevelCode

log = structlog.get_logger(__name__)

OUTAGE_RETRY_AFTER_SECONDS = 5
WS_INTERNAL_ERROR = 1011
WS_TRY_AGAIN_LATER = 1013


def new_trace_id() -> str:
    return uuid.uuid4().hex[:16]


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def is_outage(error: BaseException) -> bool:
    """The database or Redis could not be reached (or dropped the connection): retry later."""
    for link in _chain(error):
        if isinstance(link, (OperationalError, InterfaceError, RedisConnectionError, ConnectionError, TimeoutError)):
            return True
        if isinstance(link, DBAPIError) and link.connection_invalidated:
            return True
        if type(link).__module__.startswith("asyncpg") and "Connection" in type(link).__name__:
            return True
        if isinstance(link, OSError):
            return True
    return False


def graphql_error_body(message: str, code: str, **extensions: Any) -> bytes:
    error = {"message": message, "extensions": {"code": code, **extensions}}
    return json.dumps({"data": None, "errors": [error]}).encode()


async def send_graphql_error(
    send: Send, status: int, message: str, code: str, *, headers: dict[str, str] | None = None, **extensions: Any
) -> None:
    body = graphql_error_body(message, code, **extensions)
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


class ErrorBoundary:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] in ("http.response.start", "websocket.close", "websocket.http.response.start"):
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:  # the boundary: everything unexpected ends here
            outage = is_outage(error)
            trace_id = new_trace_id()
            log.error("request.unhandled_error", trace_id=trace_id, path=scope.get("path"), outage=outage,
                      exc_info=error)
            if started:
                return
            if scope["type"] == "websocket":
                code = WS_TRY_AGAIN_LATER if outage else WS_INTERNAL_ERROR
                try:
                    await send({"type": "websocket.close", "code": code, "reason": f"trace id {trace_id}"})
                except Exception:  # the client is gone already: nothing left to tell it
                    log.info("request.websocket_gone", trace_id=trace_id)
                return
            if outage:
                await send_graphql_error(
                    send, 503, f"The service is temporarily unavailable; retry shortly (trace id {trace_id}).",
                    TopLevelCode.INTERNAL.value, headers={"Retry-After": str(OUTAGE_RETRY_AFTER_SECONDS)},
                    traceId=trace_id,
                )
            else:
                await send_graphql_error(send, 500, f"Internal server error (trace id {trace_id}).",
                                         TopLevelCode.INTERNAL.value, traceId=trace_id)
