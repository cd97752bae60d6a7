"""Hole 8: every unexpected error answers GraphQL JSON with code INTERNAL and a trace id."""
from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import strawberry
from redis.asyncio import Redis
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool
from strawberry.types import ExecutionResult

from db.enums import Role
from schema.core.extensions import AlmanacSchema
from server.auth import issue_token
from server.operation import AlmanacOperation
from server.settings import Settings
from tests.conftest import REDIS_URL, SECRET, GraphQL, UserFactory, token_for

UNREACHABLE_DATABASE = "postgresql+asyncpg://postgres@127.0.0.1:9/nowhere"
NODE = "query Node($id: ID!) { node(id: $id) { id } }"


@pytest.fixture
async def outage_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with a database that refuses every connection (as during a PostgreSQL restart)."""
    from server.app import create_app

    engine = create_async_engine(UNREACHABLE_DATABASE, poolclass=NullPool)
    app = create_app(settings, sessionmaker=async_sessionmaker(engine), redis=Redis.from_url(REDIS_URL))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http
    await engine.dispose()


def assert_internal(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL"
    assert error["extensions"]["traceId"] in error["message"]
    for leak in ("asyncpg", "Connect call failed", "SELECT", "Errno", "Traceback"):
        assert leak not in response.text
    return body


async def test_a_signed_in_request_during_a_database_outage_answers_json_503(
    outage_client: httpx.AsyncClient, make_user: UserFactory
) -> None:
    headers = {"Authorization": f"Bearer {token_for(await make_user(Role.STAFF))}"}
    response = await outage_client.post("/graphql", json={"query": "{ me { name } }"}, headers=headers)
    assert_internal(response, 503)
    assert response.headers["retry-after"] == "5"


async def test_an_anonymous_query_needing_the_database_during_an_outage_is_masked(
    outage_client: httpx.AsyncClient,
) -> None:
    response = await outage_client.post("/graphql", json={"query": "{ publicServices { name } }"})
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL" and "asyncpg" not in response.text


async def test_an_id_naming_the_node_interface_is_a_validation_error(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user(Role.STAFF)
    body = await gql(NODE, {"id": base64.b64encode(b"Node:82").decode()}, user=user)
    assert body["data"] == {"node": None}
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION"
    assert "interface" in body["errors"][0]["message"]


async def test_expected_validation_failures_are_not_logged_with_a_stack_trace(
    gql: GraphQL, make_user: UserFactory, caplog: pytest.LogCaptureFixture
) -> None:
    user = await make_user(Role.STAFF)
    with caplog.at_level(logging.DEBUG):
        body = await gql("{ me { nope } }", user=user)
        assert body["errors"][0]["extensions"]["code"] == "VALIDATION"
        body = await gql(NODE, {"id": "not-a-global-id"}, user=user)
        assert body["errors"][0]["extensions"]["code"] == "VALIDATION"
    assert not [record for record in caplog.records
                if record.levelno >= logging.ERROR or record.exc_info or record.stack_info]


class _ClosingFails:
    async def close(self) -> None:
        raise RuntimeError("cannot switch to state 15; another operation is in progress")


@strawberry.type
class Change:
    @strawberry.field
    def id(self) -> int:
        raise OperationalError("SELECT * FROM change_log WHERE id = $1", {}, ConnectionError("connection lost"))


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def changed(self) -> AsyncIterator[Change]:
        yield Change()


# The real schema's one extension on a schema of two fields.
boundary_schema = AlmanacSchema(query=Query, subscription=Subscription, extensions=[AlmanacOperation])


async def test_a_session_that_fails_to_close_does_not_reach_the_client() -> None:
    """The failure used to escape after the errors were coded, as driver text without a code."""
    result = await boundary_schema.execute("{ __typename }", context_value=_ClosingFails())
    assert result.errors is None and result.data == {"__typename": "Query"}  # logged with a trace id, not raised


async def test_a_subscription_event_failing_in_the_database_is_masked() -> None:
    """Subscribers used to receive raw driver messages with SQL text during a PostgreSQL restart."""
    stream = await boundary_schema.subscribe("subscription { changed { id } }")
    assert not isinstance(stream, ExecutionResult)
    results = [result async for result in stream]
    assert len(results) == 1 and results[0].errors is not None
    error = results[0].errors[0]
    assert error.extensions is not None
    assert error.extensions["code"] == "INTERNAL" and "SELECT" not in error.message


def test_a_websocket_connection_init_during_an_outage_is_closed_with_try_again_later(settings: Settings) -> None:
    from starlette.testclient import TestClient
    from starlette.websockets import WebSocketDisconnect

    from server.app import create_app

    engine = create_async_engine(UNREACHABLE_DATABASE, poolclass=NullPool)
    app = create_app(settings, sessionmaker=async_sessionmaker(engine), redis=Redis.from_url(REDIS_URL))
    token = issue_token(12345, SECRET, ttl_minutes=5)  # a valid signature: the user lookup needs the database
    with TestClient(app) as http, http.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1013
