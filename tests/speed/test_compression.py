"""server/compression.GZip sends exactly what Starlette's GZipMiddleware sends, building nothing for small answers."""
from __future__ import annotations

import copy
from typing import Any

import pytest
from starlette.middleware.gzip import GZipMiddleware

from server.compression import GZip

JSON = [(b"content-type", b"application/json")]
CASES: dict[str, tuple[list[Any], bool]] = {  # messages the app sends, and whether it raises after them
    "small json": ([{"type": "http.response.start", "status": 200, "headers": JSON},
                    {"type": "http.response.body", "body": b'{"data":{"__typename":"Query"}}'}], False),
    "large json": ([{"type": "http.response.start", "status": 200, "headers": JSON},
                    {"type": "http.response.body", "body": b'{"data":"' + b"x" * 5000 + b'"}'}], False),
    "no headers key": ([{"type": "http.response.start", "status": 204},
                        {"type": "http.response.body", "body": b""}], False),
    "partial": ([{"type": "http.response.start", "status": 206, "headers": JSON},
                 {"type": "http.response.body", "body": b"y" * 5000}], False),
    "already encoded": ([{"type": "http.response.start", "status": 200,
                          "headers": [*JSON, (b"content-encoding", b"br")]},
                         {"type": "http.response.body", "body": b"z" * 5000}], False),
    "excluded type, streamed": ([{"type": "http.response.start", "status": 200,
                                  "headers": [(b"content-type", b"image/png")]},
                                 {"type": "http.response.body", "body": b"p" * 3000, "more_body": True},
                                 {"type": "http.response.body", "body": b"q"}], False),
    "stream": ([{"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"multipart/mixed")]},
                {"type": "http.response.body", "body": b"a" * 10, "more_body": True},
                {"type": "http.response.body", "body": b"b" * 4000, "more_body": True},
                {"type": "http.response.body", "body": b""}], False),
    "excluded type, fails after start": ([{"type": "http.response.start", "status": 200,
                                           "headers": [(b"content-type", b"image/jpeg")]}], True),
    "already encoded, fails after start": ([{"type": "http.response.start", "status": 200,
                                             "headers": [*JSON, (b"content-encoding", b"gzip")]}], True),
    "json, fails after start": ([{"type": "http.response.start", "status": 200, "headers": JSON}], True),
}


async def sent_by(middleware: type[GZipMiddleware], messages: list[Any], fails: bool, accept: bytes) -> list[Any]:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        for message in copy.deepcopy(messages):
            await send(message)
        if fails:
            raise RuntimeError("after start")

    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(copy.deepcopy(message))

    scope = {"type": "http", "method": "POST", "path": "/graphql", "headers": [(b"accept-encoding", accept)]}
    try:
        await middleware(app, minimum_size=1024, compresslevel=1)(scope, None, send)  # type: ignore[arg-type]
    except RuntimeError:
        sent.append("raised")
    return sent


@pytest.mark.parametrize("accept", [b"gzip, deflate", b"identity", b""])
@pytest.mark.parametrize("case", sorted(CASES))
async def test_the_same_messages_as_starlettes(case: str, accept: bytes) -> None:
    messages, fails = CASES[case]
    ours = await sent_by(GZip, messages, fails, accept)
    assert ours == await sent_by(GZipMiddleware, messages, fails, accept)
    if case == "large json" and accept.startswith(b"gzip"):
        assert (b"content-encoding", b"gzip") in ours[0]["headers"]  # the comparison covers compression


async def test_a_small_answer_builds_no_responder(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_responder(*_: Any) -> Any:
        raise AssertionError("a responder for a small answer")

    monkeypatch.setattr(GZip, "responder", no_responder)
    messages, _ = CASES["small json"]
    assert await sent_by(GZip, messages, False, b"gzip") == messages
