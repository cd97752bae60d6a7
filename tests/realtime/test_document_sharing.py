"""Groups of one document with other variables share a payload only when the variables feed
nothing but the root field's arguments."""
from __future__ import annotations

import pytest
from graphql import parse

from server.document_sharing import variables_only_in_root_arguments

ROOT_ONLY = "subscription ($s: DateTime!, $e: DateTime!) { calendarChanged(start: $s, end: $e) { cursor entries { id } } }"
NO_VARIABLES = "subscription { taskChanged { taskId } }"
NESTED_ARGUMENT = """subscription ($s: DateTime!, $n: Int) {
  calendarChanged(start: $s, end: $s) { entries { source { ... on Event { occurrences(first: $n) { start } } } } } }"""
DIRECTIVE = "subscription ($s: DateTime!, $x: Boolean!) { calendarChanged(start: $s, end: $s) { cursor @include(if: $x) } }"
FRAGMENT = """subscription ($s: DateTime!, $x: Boolean!) { calendarChanged(start: $s, end: $s) { ...F } }
fragment F on CalendarChange { cursor @skip(if: $x) }"""
ROOT_DIRECTIVE = "subscription ($s: DateTime!, $x: Boolean!) { calendarChanged(start: $s, end: $s) @include(if: $x) { cursor } }"


@pytest.mark.parametrize(("document", "shares"), [
    (ROOT_ONLY, True), (NO_VARIABLES, True), (NESTED_ARGUMENT, False), (DIRECTIVE, False), (FRAGMENT, False),
    (ROOT_DIRECTIVE, False),
])
def test_only_root_argument_variables_allow_sharing(document: str, shares: bool) -> None:
    assert variables_only_in_root_arguments(parse(document)) is shares
