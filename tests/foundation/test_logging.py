"""One pipeline: structlog events and plain library records both render as JSON on stderr."""
from __future__ import annotations

import json
import logging

import pytest
import structlog

from server.logging import configure_logging
from server.settings import Settings
from tests.conftest import SECRET


def test_library_and_app_records_are_json_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", json=True)
    try:
        logging.getLogger("uvicorn.error").info("Started server process [%d]", 7, extra={"color_message": "\x1b[36m"})
        logging.getLogger("alembic.runtime.migration").info("Running upgrade %s -> %s", "a", "b")
        structlog.get_logger("server.test").info("almanac.ready", url="http://x")
        out, err = capsys.readouterr()
    finally:
        configure_logging("WARNING")

    records = [json.loads(line) for line in err.splitlines()]
    assert out == ""
    assert [(r["logger"], r["event"]) for r in records] == [
        ("uvicorn.error", "Started server process [7]"),
        ("alembic.runtime.migration", "Running upgrade a -> b"),
        ("server.test", "almanac.ready"),
    ]
    assert "color_message" not in records[0] and records[2]["url"] == "http://x"


@pytest.mark.parametrize(("configured", "expected"), [({}, False), ({"ALMANAC_ACCESS_LOG": "true"}, True)])
def test_the_access_log_is_off_unless_asked_for(monkeypatch: pytest.MonkeyPatch, configured: dict[str, str],
                                                expected: bool) -> None:
    """One line per request cost ~22 % of a cheap query's throughput at INFO (issue 12)."""
    import threading

    import uvicorn

    from server import serve as serve_module

    options: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: options.update(kwargs))
    monkeypatch.setattr(serve_module, "start_services", lambda settings: None)
    monkeypatch.setattr(serve_module, "install_signal_handlers", lambda: None)
    monkeypatch.setattr(threading.Thread, "start", lambda self: None)  # the readiness announcer
    monkeypatch.setenv("ALMANAC_PUBLIC_URL", "http://127.0.0.1:1")
    serve_module.serve(Settings(ALMANAC_SECRET_KEY=SECRET, **configured), host="127.0.0.1", port=1, workers=1)
    assert options["access_log"] is expected
