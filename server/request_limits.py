"""Limits on the raw request, before any GraphQL work: body size and JSON nesting depth.

- ``BodySizeLimit`` (ASGI middleware) answers 413 with a GraphQL-shaped JSON error once a
  body passes its limit, reading no further: ``Content-Length`` is checked first, and a
  chunked body is counted as it arrives. A caller without a validly signed bearer token
  gets the small anonymous limit (an anonymous caller can only sign in or read public
  services); a signed-in one the larger limit, which has room for a 5 MB calendar import,
  and a multipart upload (an attachment) room for ``ALMANAC_MAX_UPLOAD_BYTES`` plus its form.
- ``decode_json`` parses like ``json.loads`` but refuses documents nested deeper than the
  limit (``JSONTooDeep``, a ``JSONDecodeError`` so every JSON caller already handles it):
  Python's decoder recurses, so 1,000+ levels used to end in a RecursionError (a plain-text 500).
"""
from __future__ import annotations

import json
import re
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schema.core.errors import TopLevelCode
from server.auth import bearer_token, user_id_from_token
from server.error_boundary import send_graphql_error
from server.settings import Settings
from server.viewer import user_cache_of


class JSONTooDeep(json.JSONDecodeError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"JSON nested deeper than {limit} levels", "", 0)
        self.limit = limit


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """True when ``value`` nests lists/objects more than ``limit`` levels (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


_LONG_DIGITS_PATTERN = r"[0-9]{19}"
_LONG_DIGITS_BYTES = re.compile(_LONG_DIGITS_PATTERN.encode())
_LONG_DIGITS_TEXT = re.compile(_LONG_DIGITS_PATTERN)


def decode_json(data: str | bytes, max_depth: int) -> Any:
    # orjson parses a request several times faster. What it refuses (NaN, lone surrogates, other
    # encodings, nesting past 1,024, malformed text) gets the standard library's answer and error,
    # and so does a body with a run of 19+ digits, since orjson turns integers past 64 bits into
    # floats: what is accepted, and as what, is unchanged (tests/speed/test_json_decode.py).
    long_digits = _LONG_DIGITS_BYTES if isinstance(data, bytes) else _LONG_DIGITS_TEXT
    if long_digits.search(data) is not None:  # type: ignore[arg-type]
        value = _standard_decode(data, max_depth)
    else:
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            value = _standard_decode(data, max_depth)
    if json_depth_exceeds(value, max_depth):
        raise JSONTooDeep(max_depth)
    return value


def _standard_decode(data: str | bytes, max_depth: int) -> Any:
    try:
        return json.loads(data)
    except RecursionError:
        raise JSONTooDeep(max_depth) from None
    except UnicodeDecodeError:
        raise json.JSONDecodeError("The body is not UTF-8 text", "", 0) from None


MULTIPART_OVERHEAD_BYTES = 64 * 1024  # the operations and map fields and part headers around the file


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"body over {limit} bytes")
        self.limit = limit


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


class BodySizeLimit:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def limit_for(self, scope: Scope) -> int:
        token = bearer_token(_header(scope, b"authorization"))
        if not token or not self.signed(scope, token):
            return self.settings.max_anonymous_body_bytes
        if (_header(scope, b"content-type") or "").startswith("multipart/form-data"):
            return max(self.settings.max_body_bytes, self.settings.max_upload_bytes + MULTIPART_OVERHEAD_BYTES)
        return self.settings.max_body_bytes

    def signed(self, scope: Scope, token: str) -> bool:
        """A valid, unexpired bearer token: through the app's token memo (``server.viewer``) when the
        app is running, which verifies a token's signature once instead of on every request (the
        HMAC check was 14 % of a ``me { id }`` request's CPU)."""
        state = getattr(getattr(scope.get("app"), "state", None), "almanac", None)
        if state is not None:
            return user_cache_of(state).subject(token, self.settings.secret_key) is not None
        return user_id_from_token(token, self.settings.secret_key) is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self.refuse(send, limit)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self.refuse(send, limit)

    @staticmethod
    async def refuse(send: Send, limit: int) -> None:
        await send_graphql_error(
            send, 413, f"The request body is larger than {limit} bytes. Sign in for larger requests,"
            " or send less (import big calendars in parts).",
            TopLevelCode.PAYLOAD_TOO_LARGE.value, maxBytes=limit,
        )
