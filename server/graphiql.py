"""GraphiQL served from files shipped in this package: it works without internet access.

``GET /`` redirects to ``/graphiql``; ``GET /graphql`` from a browser serves the same page.
The JavaScript and CSS (GraphiQL 3.8.3, React 18.2.0: the exact files Strawberry's
own page loads from a CDN, same SRI hashes) live in ``server/static/graphiql``; the
page adds a sign-in form and preloads ``server.graphiql_examples`` as tabs.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from server.graphiql_examples import EXAMPLES

STATIC_DIR = Path(__file__).parent / "static" / "graphiql"


@lru_cache(maxsize=1)
def page_template() -> str:
    return (STATIC_DIR / "index.html").read_text(encoding="utf-8")


def tabs(today: datetime) -> list[dict[str, str]]:
    fill = {"$TODAY": today.date().isoformat() + "T00:00:00Z",
            "$IN_14_DAYS": (today + timedelta(days=14)).date().isoformat() + "T00:00:00Z"}
    result = []
    for example in EXAMPLES:
        variables = example.variables
        for marker, value in fill.items():
            variables = variables.replace(marker, value)
        result.append({"query": example.query, "variables": variables})
    return result


def websocket_url(connection: HTTPConnection) -> str:
    scheme = "wss" if connection.url.scheme in ("https", "wss") else "ws"
    return f"{scheme}://{connection.url.netloc}/graphql"


def render_page(connection: HTTPConnection) -> HTMLResponse:
    config = {"url": "/graphql", "subscriptionUrl": websocket_url(connection), "tabs": tabs(datetime.now(UTC))}
    # JSON inside <script>: escape "<" so no example can close the tag.
    payload = json.dumps(config).replace("<", "\\u003c")
    return HTMLResponse(page_template().replace("__ALMANAC_CONFIG__", payload))


async def graphiql_page(request: Request) -> HTMLResponse:
    return render_page(request)


async def to_graphiql(_: Request) -> RedirectResponse:
    return RedirectResponse("/graphiql", status_code=307)


GRAPHIQL_ROUTES: list[BaseRoute] = [
    Route("/", to_graphiql),
    Route("/graphiql", graphiql_page),
    Mount("/graphiql/static", app=StaticFiles(directory=STATIC_DIR), name="graphiql-static"),
]
