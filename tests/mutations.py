"""Helpers for tests that drive the API mutation by mutation."""
from __future__ import annotations

from typing import Any

from tests.conftest import GraphQL

ERRORS = "errors { code field message }"


def mutation(name: str, input_type: str, selection: str) -> str:
    """``mutation($input: T!) { name(input: $input) { selection errors {...} } }``"""
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {selection} {ERRORS} }} }}"


async def call(gql: GraphQL, query: str, input: dict[str, Any], user: Any) -> dict[str, Any]:
    """The payload of a one-field mutation (no top-level errors allowed)."""
    body = await gql(query, {"input": input}, user=user)
    assert "errors" not in body, body
    result: dict[str, Any] = next(iter(body["data"].values()))
    return result


def codes(result: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in result["errors"]]
