"""A GraphQL POST passes the request layers and the view only (server/app.py, issue 12)."""
from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.routing import Router
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from server.app import create_app
from server.compression import GZip
from server.error_boundary import ErrorBoundary
from server.graphql_view import AlmanacGraphQL
from server.request_limits import BodySizeLimit
from server.settings import Settings
from tests.conftest import SECRET


def layers(app: Any) -> list[type]:
    chain = []
    while app is not None:
        chain.append(type(app))
        app = getattr(app, "app", None) if not isinstance(app, AlmanacGraphQL) else None
    return chain


@pytest.mark.parametrize("configured", [False, True])
def test_a_graphql_post_runs_the_request_middleware_around_the_view(configured: bool) -> None:
    options: dict[str, Any] = {"ALMANAC_TRUSTED_PROXIES": "10.0.0.1", "ALMANAC_CORS_ORIGINS": "https://app.example"}
    app = create_app(Settings(ALMANAC_SECRET_KEY=SECRET, **(options if configured else {})))
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
