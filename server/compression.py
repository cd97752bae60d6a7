"""Starlette's gzip middleware, without its per-request work for responses too small to compress.

``GZipMiddleware`` builds a responder for every request (parsing the request's headers and
normalizing its excluded content types) and parses the response's headers again, to decide
what it only acts on once a body reaches ``minimum_size``: about 3 % of a ``{ __typename }``
request's CPU (py-spy, issue 12). A response whose start is followed by one complete body
under that size leaves Starlette's middleware exactly as it came in (whatever the client
accepts), so ``GZip`` sends it on as is; anything else (a large body, a stream, a start
Starlette would have sent at once, any other message) goes through Starlette's own responder,
fed the messages held so far.
"""
from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.gzip import (
    DEFAULT_EXCLUDED_CONTENT_TYPES,
    GZipMiddleware,
    GZipResponder,
    IdentityResponder,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class GZip(GZipMiddleware):
    def __init__(
        self, app: ASGIApp, minimum_size: int = 500, compresslevel: int = 9, thread_minimum_size: int = 128 * 1024,
        *, exclude_content_types: tuple[str, ...] = DEFAULT_EXCLUDED_CONTENT_TYPES,
    ) -> None:
        super().__init__(app, minimum_size, compresslevel, thread_minimum_size,
                         exclude_content_types=exclude_content_types)
        self.excluded: dict[bytes, bool] = {}  # content type -> excluded from compression

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: Message | None = None
        responder: IdentityResponder | None = None

        async def small_as_is(message: Message) -> None:
            nonlocal held, responder
            if responder is not None:
                await responder.send_with_compression(message)
                return
            kind = message["type"]
            if held is None and kind == "http.response.start" and not self.sent_at_start(message):
                message.setdefault("headers", [])  # as Starlette's responder does to the start it holds
                held = message
                return
            if (held is not None and kind == "http.response.body" and not message.get("more_body", False)
                    and len(message.get("body", b"")) < self.minimum_size):
                start, held = held, None
                await send(start)
                await send(message)
                return
            responder = self.responder(scope)
            responder.send = send
            if held is not None:
                start, held = held, None
                await responder.send_with_compression(start)
            await responder.send_with_compression(message)

        await self.app(scope, receive, small_as_is)

    def sent_at_start(self, start: Message) -> bool:
        """Whether Starlette's responder sends this start at once, never compressing: an encoded body,
        a partial one (206), or an excluded content type. Its decision, without building ``Headers``."""
        if start["status"] == 206:
            return True
        content_type: bytes | None = None
        for key, value in start.get("headers", ()):
            if key == b"content-encoding":
                return True
            if key == b"content-type" and content_type is None:
                content_type = bytes(value)
        excluded = self.excluded.get(content_type or b"")
        if excluded is None:
            media_type = (content_type or b"").decode("latin-1").partition(";")[0].strip().lower()
            media_types = {media_type, media_type.partition("/")[0] + "/*"}
            if media_type.startswith("application/grpc+"):
                media_types.add("application/grpc")
            excluded = not media_types.isdisjoint(self.exclude_content_types)
            if len(self.excluded) < 256:
                self.excluded[content_type or b""] = excluded
        return excluded

    def responder(self, scope: Scope) -> IdentityResponder:
        """The responder ``GZipMiddleware.__call__`` would have made for this request."""
        if "gzip" in Headers(scope=scope).get("Accept-Encoding", ""):
            return GZipResponder(
                self.app, self.minimum_size, compresslevel=self.compresslevel,
                thread_minimum_size=self.thread_minimum_size, exclude_content_types=self.exclude_content_types,
            )
        return IdentityResponder(self.app, self.minimum_size, exclude_content_types=self.exclude_content_types)
