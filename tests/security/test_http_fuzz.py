"""The fuzz test at the HTTP and websocket level: malformed requests never get a 500, plain text or a trace.

Hypothesis sends random bytes, random and deeply nested JSON, huge declared bodies, odd
content types and garbage tokens to /graphql, and random frames (text, binary, JSON of
every shape, before and after connection_init) to the websocket on a live server.
"""
from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import websockets
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.realtime.conftest import LiveServer, live_settings, start_live_server

LEAKS = ("Traceback", "asyncpg", "sqlalchemy", "RecursionError", "Internal Server Error")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)
deep_json = st.integers(min_value=1, max_value=6000).map(lambda n: '{"variables": ' + "[" * n + "]" * n + "}")
graphql_bodies = st.fixed_dictionaries({}, optional={
    "query": st.one_of(st.text(max_size=200), st.just("{ __typename }"), st.just("{ me { name } }"), json_values),
    "variables": json_values, "operationName": json_values, "extensions": json_values,
}).map(json.dumps)
bodies = st.one_of(st.binary(max_size=3000), st.text(max_size=3000), deep_json, graphql_bodies,
                   json_values.map(json.dumps))
content_types = st.sampled_from(["application/json", "application/json; charset=latin-1", "text/plain",
                                 "multipart/form-data", "application/x-www-form-urlencoded", ""])
authorizations = st.one_of(st.none(), st.text(max_size=60), st.just("Bearer not.a.jwt"), st.just("Bearer "))


def assert_no_leak(text: str) -> None:
    for leak in LEAKS:
        assert leak not in text, text[:500]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies, content_type=content_types, authorization=authorizations,
       declared=st.one_of(st.none(), st.sampled_from(["-1", "abc", "99999999999", "0"])))
async def test_random_http_requests_never_get_a_500_or_plain_text(
    client: httpx.AsyncClient, body: str | bytes, content_type: str, authorization: str | None, declared: str | None
) -> None:
    headers = {"content-type": content_type}
    if authorization is not None and authorization.isascii() and "\n" not in authorization:
        headers["authorization"] = authorization
    if declared is not None:
        headers["content-length"] = declared
    response = await client.post("/graphql", content=body, headers=headers)
    assert response.status_code < 500, response.text[:500]
    assert response.headers["content-type"].startswith("application/json"), response.text[:200]
    payload = response.json()
    for error in payload.get("errors") or []:
        assert error["extensions"]["code"], error
    assert_no_leak(response.text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=300), variables=st.text(max_size=300))
async def test_random_get_requests_never_get_a_500(client: httpx.AsyncClient, query: str, variables: str) -> None:
    response = await client.get("/graphql", params={"query": query, "variables": variables})
    assert response.status_code < 500 and response.headers["content-type"].startswith("application/json")
    assert_no_leak(response.text)


@pytest.fixture
async def live(database_url: str) -> AsyncIterator[LiveServer]:
    server = await start_live_server(live_settings(database_url, f"almanac-fuzz-{uuid.uuid4().hex[:8]}"))
    yield server
    await server.stop()


message_types = st.sampled_from(["connection_init", "subscribe", "start", "stop", "complete", "ping", "pong",
                                 "next", "connection_terminate", "bogus"])
frames = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300),
    deep_json,
    json_values.map(json.dumps),
    st.fixed_dictionaries({"type": message_types}, optional={
        "id": json_values, "payload": st.one_of(json_values, st.fixed_dictionaries({"query": st.text(max_size=80)})),
    }).map(json.dumps),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(protocol="graphql-transport-ws", sent=['{"type":"complete","id":[]}'], initialise_first=False)
@given(protocol=st.sampled_from(["graphql-transport-ws", "graphql-ws"]), sent=st.lists(frames, max_size=6),
       initialise_first=st.booleans())
async def test_random_websocket_frames_never_crash_the_server_or_leak(
    live: LiveServer, protocol: str, sent: list[str | bytes], initialise_first: bool
) -> None:
    received: list[Any] = []
    async with websockets.connect(live.ws_url, subprotocols=[protocol]) as ws:  # type: ignore[list-item]
        if initialise_first:
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        try:
            for frame in sent:
                await ws.send(frame)
            while True:
                received.append(await asyncio.wait_for(ws.recv(), timeout=0.3))
        except (TimeoutError, websockets.ConnectionClosed):
            pass
        close_code, close_reason = ws.close_code, ws.close_reason or ""
    for message in received:
        assert_no_leak(message if isinstance(message, str) else message.decode(errors="replace"))
    assert close_code != 1006, received  # abnormal closure: the server dropped the connection
    assert "trace id" not in close_reason, close_reason  # the error boundary: an unexpected exception
    if close_code == 1011:  # legacy graphql-ws refuses a connection_init this way, after saying why
        assert protocol == "graphql-ws" and '"connection_error"' in str(received), (close_reason, received)
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"http://127.0.0.1:{live.port}/healthz")).status_code == 200
