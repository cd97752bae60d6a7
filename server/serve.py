"""``almanac serve``: prepare the database, run uvicorn, say when it is ready, clean up.

- The embedded database (and demo data on first start), the embedded Redis and its
  arq worker (``server.embedded_services``) are prepared here, in the process you
  started, with every step logged, before uvicorn binds its port. This process
  holds them while serving, so they outlive restarts of worker processes, and
  stops them when it exits.
- The URL is printed (stdout) once ``/readyz`` answers 200, not before.
- SIGHUP (closing the terminal) is turned into SIGTERM, which uvicorn handles
  gracefully like SIGINT; after uvicorn's shutdown every one of them ends the
  process through ``SystemExit``, so ``finally`` blocks and ``atexit`` run and
  the embedded cluster's and Redis's pid lists are left clean.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from types import FrameType
from typing import Any

import structlog
from starlette.applications import Starlette

from server.embedded_services import EmbeddedServices, start_services
from server.reuse_port import run_workers
from server.settings import Settings, get_settings
from server.ws_protocol import SERVER_WS_OPTIONS

log = structlog.get_logger(__name__)

READY_POLL_SECONDS = 0.25


def create_configured_app() -> Starlette:
    """uvicorn's factory in every server process: logging first, then the app."""
    from server.app import create_app
    from server.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return create_app(settings)


def exit_on_signal(signum: int, frame: FrameType | None) -> None:
    """A requested stop: status 0, or 130 for Ctrl-C as shells expect."""
    raise SystemExit(130 if signum == signal.SIGINT else 0)


def hangup_as_terminate(signum: int, frame: FrameType | None) -> None:
    os.kill(os.getpid(), signal.SIGTERM)


def install_signal_handlers() -> None:
    """Before uvicorn: what runs when a signal arrives outside its serve loop, or after it."""
    signal.signal(signal.SIGTERM, exit_on_signal)
    signal.signal(signal.SIGINT, exit_on_signal)
    signal.signal(signal.SIGHUP, hangup_as_terminate)


def probe_address(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "", "::") else host


def announce_when_ready(probe_url: str, public_url: str) -> None:
    """Print the URL once ``/readyz`` says so (runs in a daemon thread)."""
    while True:
        try:
            with urllib.request.urlopen(probe_url, timeout=2) as response:
                if response.status == 200:
                    break
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(READY_POLL_SECONDS)
    log.info("almanac.ready", url=public_url)
    print(f"Almanac is ready: {public_url}/  (GraphiQL at {public_url}/graphiql)", flush=True)


def public_url_for(settings: Settings, host: str, port: int) -> str:
    """``ALMANAC_PUBLIC_URL`` when set (behind a proxy), else where this server listens."""
    if "public_url" in settings.model_fields_set:
        return settings.public_url.rstrip("/")
    return f"http://{probe_address(host)}:{port}"


def serve(settings: Settings, *, host: str, port: int, workers: int) -> None:
    import uvicorn

    public_url = public_url_for(settings, host, port)
    settings.public_url = public_url
    os.environ["ALMANAC_PUBLIC_URL"] = public_url  # worker processes read their settings anew
    install_signal_handlers()
    services: EmbeddedServices | None = None
    try:
        services = start_services(settings)
        probe = f"http://{probe_address(host)}:{port}/readyz"
        threading.Thread(target=announce_when_ready, args=(probe, public_url), daemon=True).start()
        options: dict[str, Any] = dict(
            app="server.serve:create_configured_app",
            factory=True,
            host=host,
            port=port,
            log_config=None,  # server/logging.py renders uvicorn's records too
            log_level=settings.log_level.lower(),
            access_log=settings.access_log,
            # httptools, with each response's head and body sent in one write (server/http_protocol.py).
            http="server.http_protocol:AlmanacHttpProtocol",
            **SERVER_WS_OPTIONS,
            # X-Forwarded-For is honoured only from ALMANAC_TRUSTED_PROXIES, by the app itself (issue 11).
            proxy_headers=False,
            ws_max_size=settings.max_body_bytes,
        )
        if workers > 1:
            run_workers(uvicorn.Config(**options, workers=workers))  # each on its own socket
        else:
            uvicorn.run(**options)
    finally:
        if services is not None:
            services.stop()
        sys.stdout.flush()
