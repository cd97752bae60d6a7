"""One pipeline: structlog events and plain library records both render as JSON on stderr."""
from __future__ import annotations

import json
import logging

import pytest
import structlog

from server.logging import configure_logging


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
