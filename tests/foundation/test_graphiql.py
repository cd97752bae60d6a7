"""GraphiQL works offline: assets from the package, examples valid, editor rendered in Chromium."""
from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from graphql import parse, validate

from schema.root import schema
from server.graphiql_examples import EXAMPLES
from server.settings import Settings
from tests.conftest import REDIS_URL, SECRET, free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_every_example_query_is_valid_against_the_schema() -> None:
    graphql_schema = schema._schema
    problems = {e.title: [str(err) for err in validate(graphql_schema, parse(e.query))] for e in EXAMPLES}
    assert {title: errs for title, errs in problems.items() if errs} == {}
    assert len(EXAMPLES) >= 8  # sign-in, each module, a subscription, a share feed


@pytest.fixture(scope="module")
def live_server(database_url: str) -> Iterator[str]:
    """The real app (own engine on the test database) served by uvicorn in a thread."""
    from server.app import create_app

    settings = Settings(DATABASE_URL=database_url, REDIS_URL=REDIS_URL, ALMANAC_SECRET_KEY=SECRET)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_config=None, ws="websockets-sansio"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        threading.Event().wait(0.1)
    yield base
    server.should_exit = True
    thread.join(timeout=30)


def test_root_redirects_and_the_page_loads_only_its_own_assets(live_server: str) -> None:
    root = httpx.get(f"{live_server}/", follow_redirects=False)
    page = httpx.get(f"{live_server}/graphiql")
    browser_get = httpx.get(f"{live_server}/graphql", headers={"Accept": "text/html"})

    assert (root.status_code, root.headers["location"]) == (307, "/graphiql")
    assert page.status_code == 200 and browser_get.status_code == 200
    assert "almanac-graphiql.js" in browser_get.text, "GET /graphql in a browser serves the CDN page"
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/graphiql/static/") for s in sources), sources
    for source in sources:
        asset = httpx.get(f"{live_server}{source}")
        assert asset.status_code == 200 and len(asset.content) > 1000, source


def chromium_dom(url: str, profile: Path) -> str:
    """The DOM after scripts ran, with every non-loopback request sent to a dead proxy."""
    assert CHROMIUM is not None
    result = subprocess.run(
        [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         f"--user-data-dir={profile}", "--no-first-run", "--disable-background-networking",
         "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
         "--virtual-time-budget=15000", "--dump-dom", url],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium)")
def test_graphiql_renders_its_editor_in_chromium_without_network(live_server: str, tmp_path: Path) -> None:
    dom = chromium_dom(f"{live_server}/graphiql", tmp_path / "profile")

    assert "Loading GraphiQL" not in dom, dom[-3000:]
    assert 'class="graphiql-container"' in dom
    assert "CodeMirror" in dom, "no query editor in the page"
    assert "SignIn" in dom, "the example tabs were not preloaded"
    assert 'id="signin"' in dom and "almanac-demo" in dom
