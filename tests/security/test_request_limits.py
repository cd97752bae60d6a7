"""Hole 5 (request size and JSON depth) and the GraphQL-shaped answers to malformed HTTP."""
from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from db.enums import Role
from server import viewer
from server.auth import issue_token, token_subject
from server.request_limits import BodySizeLimit
from server.settings import Settings
from server.viewer import USER_CACHE_KEY, UserCache
from tests.conftest import UserFactory, token_for

TYPENAME = {"query": "{ __typename }"}


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


def assert_graphql_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == code
    assert "Traceback" not in response.text
    return body


async def test_an_anonymous_body_over_the_limit_is_refused_with_413(client: httpx.AsyncClient) -> None:
    padding = "x" * (64 * 1024)
    response = await client.post("/graphql", json={"query": "{ __typename }", "variables": {"p": padding}})
    body = assert_graphql_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert body["errors"][0]["extensions"]["maxBytes"] == 16 * 1024


async def test_a_signed_in_caller_may_send_a_larger_body(client: httpx.AsyncClient, make_user: UserFactory) -> None:
    headers = {"Authorization": f"Bearer {token_for(await make_user(Role.STAFF))}"}
    padding = "x" * (64 * 1024)
    response = await client.post("/graphql", json={"query": "{ __typename }", "variables": {"p": padding}},
                                 headers=headers)
    assert response.status_code == 200 and response.json() == {"data": {"__typename": "Query"}}


async def test_a_lying_content_length_is_refused_before_the_body_is_read(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", content=json.dumps(TYPENAME),
                                 headers={"content-type": "application/json", "content-length": "999999999"})
    assert_graphql_error(response, 413, "PAYLOAD_TOO_LARGE")


async def test_variables_nested_thousands_deep_answer_400_json(
    client: httpx.AsyncClient, make_user: UserFactory
) -> None:
    headers = {"Authorization": f"Bearer {token_for(await make_user(Role.STAFF))}"}
    deep = '{"a":' * 5000 + "1" + "}" * 5000  # built as text: json.dumps itself would recurse
    body = '{"query": "query Q($v: JSON) { __typename }", "variables": {"v": ' + deep + "}}"
    response = await client.post("/graphql", content=body,
                                 headers={**headers, "content-type": "application/json"})
    error = assert_graphql_error(response, 400, "BAD_REQUEST")
    assert "deeper than 32" in error["errors"][0]["message"]


async def test_variables_nested_just_past_the_limit_are_refused_and_within_it_pass(
    client: httpx.AsyncClient,
) -> None:
    deep = await client.post("/graphql", json={"query": "{ __typename }", "variables": {"v": nested(32)}})
    assert_graphql_error(deep, 400, "BAD_REQUEST")
    fine = await client.post("/graphql", json={"query": "{ __typename }", "variables": {"v": nested(30)}})
    assert fine.status_code == 200 and fine.json() == {"data": {"__typename": "Query"}}


async def test_malformed_bodies_answer_json_not_plain_text(client: httpx.AsyncClient) -> None:
    for content, content_type in ((b"{not json", "application/json"), (b"\xff\xfe\x00garbage", "application/json"),
                                  (b"query=1", "text/plain"), (b"[1, 2", "application/json")):
        response = await client.post("/graphql", content=content, headers={"content-type": content_type})
        assert_graphql_error(response, 400, "BAD_REQUEST")


def test_the_body_limit_verifies_a_token_once_through_the_apps_token_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    """The larger signed-in limit needs a valid token; its signature is checked once per token, not per request."""
    settings = Settings(ALMANAC_SECRET_KEY="k" * 40)
    state = SimpleNamespace(extras={USER_CACHE_KEY: UserCache(5)})
    scope: dict[str, Any] = {"type": "http", "app": SimpleNamespace(state=SimpleNamespace(almanac=state)),
                             "headers": [(b"authorization", f"Bearer {issue_token(7, settings.secret_key, ttl_minutes=5)}".encode())]}
    checks = []
    monkeypatch.setattr(viewer, "token_subject", lambda token, secret: checks.append(token) or token_subject(token, secret))
    limits = BodySizeLimit(app=None, settings=settings)  # type: ignore[arg-type]

    assert [limits.limit_for(scope) for _ in range(3)] == [settings.max_body_bytes] * 3
    assert len(checks) == 1
    scope["headers"] = [(b"authorization", b"Bearer not-a-token")]
    assert limits.limit_for(scope) == settings.max_anonymous_body_bytes


async def test_a_subscription_posted_over_http_is_refused_as_a_bad_request(
    client: httpx.AsyncClient, make_user: UserFactory
) -> None:
    """Strawberry allows subscriptions on POST for its streaming transports, which Almanac does not serve:
    graphql-core then ran the stream's field as a query and answered an INTERNAL error."""
    headers = {"Authorization": f"Bearer {token_for(await make_user(Role.STAFF))}"}
    for body in ({"query": "subscription { taskChanged { task { id } } }"},
                 {"query": "query A { __typename } subscription B { taskChanged { task { id } } }", "operationName": "B"}):
        response = await client.post("/graphql", json=body, headers=headers)
        error = assert_graphql_error(response, 400, "BAD_REQUEST")
        assert "websocket" in error["errors"][0]["message"]
    fine = await client.post("/graphql", json={"query": "query A { __typename } subscription B { taskChanged { task { id } } }",
                                               "operationName": "A"}, headers=headers)
    assert fine.json() == {"data": {"__typename": "Query"}}
