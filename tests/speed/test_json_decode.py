"""server.request_limits.decode_json (orjson first) accepts and answers exactly what json.loads does."""
from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.request_limits import JSONTooDeep, decode_json

DEPTH = 32
EDGES = [
    b'{"query": "{ me { id } }", "variables": {}}',
    b'{"a": NaN, "b": Infinity, "c": -Infinity}',
    b'{"big": 123456789012345678901234567890, "neg": -98765432109876543210}',
    b'{"s": "\\ud800 lone surrogate", "t": "\\ud83d\\ude00"}',
    b'{"dup": 1, "other": 2, "dup": 3}',
    '{"utf16": "\u00e9"}'.encode("utf-16"),
    '{"utf32": 1}'.encode("utf-32"),
    b'\xef\xbb\xbf{"bom": 1}',
    b'{"f": 1e400, "g": -0.0, "h": 0.1, "i": 1.7976931348623157e308}',
    b'{"trailing": 1} x',
    b'{"control": "a\x01b"}',
    b"\xff\xfe\x00",
    b"",
    b"[" * 40 + b"]" * 40,
    b"[" * 2000 + b"]" * 2000,
    "{\"text\": \"caf\u00e9\"}",
]


def outcome(decode: Any, data: Any) -> Any:
    try:
        value = decode(data)
    except JSONTooDeep:
        return "too deep"
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return type(error).__name__
    return ("value", json.dumps(value, sort_keys=False, allow_nan=True), repr(value))


def standard(data: Any) -> Any:
    """What decode_json did before orjson: json.loads, then the depth limit."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise JSONTooDeep(DEPTH) from None
    except UnicodeDecodeError:
        raise json.JSONDecodeError("The body is not UTF-8 text", "", 0) from None
    from server.request_limits import json_depth_exceeds

    if json_depth_exceeds(value, DEPTH):
        raise JSONTooDeep(DEPTH)
    return value


@pytest.mark.parametrize("data", EDGES)
def test_edge_cases_decode_as_the_standard_library_does(data: Any) -> None:
    assert outcome(lambda d: decode_json(d, DEPTH), data) == outcome(standard, data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=30,
)


@given(json_values, st.booleans())
def test_any_json_decodes_to_the_same_value(value: Any, as_bytes: bool) -> None:
    text = json.dumps(value)
    data: Any = text.encode() if as_bytes else text
    ours = outcome(lambda d: decode_json(d, DEPTH), data)
    assert ours == outcome(standard, data)
    if ours[0] == "value" and isinstance(value, float) and math.isfinite(value):
        assert decode_json(data, DEPTH) == value
