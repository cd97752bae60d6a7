"""The checked-in SDL (schema.graphql) matches the code; regenerate with `almanac schema export`."""
from __future__ import annotations

from pathlib import Path

from schema.root import schema

SDL_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_checked_in_sdl_matches_code() -> None:
    assert SDL_FILE.exists(), "schema.graphql is missing: run `almanac schema export`"
    assert SDL_FILE.read_text() == schema.as_str() + "\n", (
        "schema.graphql is out of date: run `almanac schema export` and commit it"
    )
