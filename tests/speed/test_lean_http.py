"""A GraphQL POST passes the request layers and the view only (server/app.py, issue 12); a GraphQL
websocket passes those of them that touch websockets (issue 13)."""
from __future__ import annotations

import copy
from typing import Any

import httpx
import orjson
import pytest
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.routing import Router
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from server import app as app_module
from server import graphql_view
from server.app import HTTP_ONLY_LAYERS, create_app, request_middleware
from server.compression import GZip
from server.error_boundary import ErrorBoundary
from server.graphql_view import AlmanacGraphQL
from server.request_limits import BodySizeLimit
from server.settings import Settings
from tests.conftest import SECRET, token_for


def layers(app: Any) -> list[type]:
    chain = []
    while app is not None:
        chain.append(type(app))
        app = getattr(app, "app", None) if not isinstance(app, AlmanacGraphQL) else None
    return chain


CONFIGURED: dict[str, Any] = {"ALMANAC_TRUSTED_PROXIES": "10.0.0.1", "ALMANAC_CORS_ORIGINS": "https://app.example"}


@pytest.mark.parametrize("configured", [False, True])
def test_a_graphql_post_runs_the_request_middleware_around_the_view(configured: bool) -> None:
    app = create_app(Settings(ALMANAC_SECRET_KEY=SECRET, **(CONFIGURED if configured else {})))
    expected = [ErrorBoundary, *([ProxyHeadersMiddleware, CORSMiddleware] if configured else []), GZip, BodySizeLimit,
                AlmanacGraphQL]
    assert layers(app.graphql_http_app) == expected  # 4 or 6 layers; Starlette's stack adds 4 more


async def test_no_starlette_layer_sees_a_graphql_post(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    async def never(*_: Any) -> None:
        raise AssertionError("a Starlette layer on a GraphQL POST")

    for layer in (ServerErrorMiddleware, ExceptionMiddleware, Router):
        monkeypatch.setattr(layer, "__call__", never)
    answer = await client.post("/graphql", json={"query": "{ __typename }"})
    assert answer.json() == {"data": {"__typename": "Query"}}
    too_big = await client.post("/graphql", content=b"x" * 20_000, headers={"content-type": "application/json"})
    assert too_big.status_code == 413 and too_big.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    with pytest.raises(AssertionError, match="a Starlette layer"):
        await client.get("/graphql", params={"query": "{ __typename }"})  # GET keeps the full stack


@pytest.mark.parametrize("configured", [False, True])
def test_a_graphql_websocket_runs_the_error_boundary_and_the_proxy_headers(configured: bool) -> None:
    app = create_app(Settings(ALMANAC_SECRET_KEY=SECRET, **(CONFIGURED if configured else {})))
    expected = [ErrorBoundary, *([ProxyHeadersMiddleware] if configured else [])]
    assert layers(app.websocket_app)[:-1] == expected  # then the view's serve_websocket


async def touches_websockets(layer: Middleware) -> bool:
    """Whether ``layer`` hands a websocket (from a trusted proxy) on other than it came."""
    handed: list[tuple[Any, ...]] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        handed.append((scope, copy.deepcopy(scope), receive, send))

    async def receive() -> Any:
        return {"type": "websocket.connect"}

    async def send(_: Any) -> None:
        return None

    scope = {"type": "websocket", "path": "/graphql", "root_path": "", "query_string": b"", "scheme": "ws",
             "headers": [(b"x-forwarded-for", b"203.0.113.9"), (b"origin", b"https://elsewhere.example")],
             "client": ("10.0.0.1", 5000), "server": ("10.0.0.2", 8000)}
    before = copy.deepcopy(scope)
    cls, args, kwargs = layer
    await cls(inner, *args, **kwargs)(scope, receive, send)
    assert len(handed) == 1, layer
    passed, after, passed_receive, passed_send = handed[0]
    return not (passed is scope and after == before and passed_receive is receive and passed_send is send)


async def test_a_websocket_skips_exactly_the_layers_that_pass_it_through() -> None:
    for layer in request_middleware(Settings(ALMANAC_SECRET_KEY=SECRET, **CONFIGURED)):
        assert (layer.cls in HTTP_ONLY_LAYERS) is not await touches_websockets(layer), layer


def test_a_layer_added_to_the_request_middleware_reaches_websockets(monkeypatch: pytest.MonkeyPatch) -> None:
    class Stamp:
        def __init__(self, app: Any) -> None:
            self.app = app

    original = request_middleware
    monkeypatch.setattr(app_module, "request_middleware", lambda settings: [*original(settings), Middleware(Stamp)])
    app = create_app(Settings(ALMANAC_SECRET_KEY=SECRET))
    assert layers(app.websocket_app)[:-1] == [ErrorBoundary, Stamp]
    assert layers(app.graphql_http_app)[-2:] == [Stamp, AlmanacGraphQL]
SUBSCRIPTION = "subscription { taskChanged { task { id } } }"
# (body, signed in?): every shape of JSON POST the lean path takes or hands back to Strawberry's ``run``.
REQUESTS: list[tuple[bytes | dict[str, Any] | list[Any], bool]] = [
    ({"query": "{ __typename }"}, False),
    ({"query": "{ me { id name role } }"}, True),
    ({"query": "{ me { id } }"}, False),  # UNAUTHENTICATED
    ({"query": "{ me { id"}, True),  # syntax error
    ({"query": "{ me { nope } }"}, True),  # validation error
    ({"query": "query Q($n: Int!) { tasks(first: $n) { nodes { id } } }", "variables": {"n": "x"}}, True),
    ({"query": "query A { __typename } query B { me { id } }", "operationName": "B"}, True),
    ({"query": "query A { __typename } query B { me { id } }", "operationName": "C"}, True),
    ({"query": "query A { __typename } query B { me { id } }"}, True),  # which one?
    ({"query": 5}, True),
    ({"query": "{ __typename }", "variables": [1]}, True),
    ({"query": "{ __typename }", "extensions": "x"}, True),
    ({"query": "{ __typename }", "operationName": 3}, True),
    ({"variables": {}}, True),  # no query
    ({"query": SUBSCRIPTION}, True),  # not over HTTP
    ({"query": "mutation { deleteTask(id: \"VGFzazox\") { ok } }"}, False),
    ([{"query": "{ __typename }"}, {"query": "{ me { id } }"}], True),  # a batch: Strawberry's run
    (b"{not json", True),
    (b'"a string"', True),
    (b"[" * 200 + b"]" * 200, True),  # too deep
]


async def json_post(body: bytes | dict[str, Any] | list[Any], signed_in: bool, make_user: Any,
                    content_type: str) -> tuple[bytes, dict[str, str]]:
    """A request's body and headers: JSON-encoded unless given as bytes, with a fresh user's token."""
    headers = {"content-type": content_type}
    if signed_in:
        headers["authorization"] = f"Bearer {token_for(await make_user())}"
    return (body if isinstance(body, bytes) else orjson.dumps(body)), headers


@pytest.mark.parametrize(("body", "signed_in"), REQUESTS, ids=[str(n) for n in range(len(REQUESTS))])
async def test_the_lean_json_post_answers_as_strawberrys_run_does(
    client: httpx.AsyncClient, make_user: Any, monkeypatch: pytest.MonkeyPatch,
    body: bytes | dict[str, Any] | list[Any], signed_in: bool,
) -> None:
    content, headers = await json_post(body, signed_in, make_user, "application/json; charset=utf-8")
    runs: list[str] = []
    original_run = AlmanacGraphQL.run

    async def counted_run(self: AlmanacGraphQL, *args: Any, **kwargs: Any) -> Any:
        runs.append("run")
        return await original_run(self, *args, **kwargs)

    monkeypatch.setattr(AlmanacGraphQL, "run", counted_run)
    lean = await client.post("/graphql", content=content, headers=headers)
    lean_runs = len(runs)
    monkeypatch.setattr(graphql_view, "is_json_post", lambda scope: False)
    strawberry = await client.post("/graphql", content=content, headers=headers)
    assert len(runs) == lean_runs + 1  # the second request went through ``run``
    if isinstance(body, dict):
        assert lean_runs == 0  # one JSON object: never through ``run``
    assert lean.status_code == strawberry.status_code
    # The same user's cost budget: the second request finds what the first one left.
    lean_budget, budget = lean.headers.get("x-cost-remaining"), strawberry.headers.get("x-cost-remaining")
    assert (lean_budget is None) == (budget is None)
    if budget is not None:
        assert int(budget) <= int(lean_budget or 0)
    assert {**lean.headers, "x-cost-remaining": ""} == {**strawberry.headers, "x-cost-remaining": ""}
    assert lean.content == strawberry.content
