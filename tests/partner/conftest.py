"""Partner API tests: keys made through the API, a real local webhook receiver."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from db.enums import Role
from db.models import User
from tests.conftest import GraphQL, UserFactory, free_port

CREATE_KEY = """mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
    apiKey { id prefix modules requestsPerMinute } secret errors { code field message } } }"""
CREATE_HOOK = """mutation($input: CreateWebhookInput!) { createWebhook(input: $input) {
    webhook { id url entityTypes } signingSecret errors { code field message } } }"""


@dataclass
class Key:
    id: str
    prefix: str
    secret: str


MakeKey = Callable[..., Awaitable[Key]]


@pytest.fixture
async def admin(make_user: UserFactory) -> User:
    return await make_user(Role.ADMIN)


@pytest.fixture
def make_key(gql: GraphQL, admin: User) -> MakeKey:
    async def make(modules: list[str], requests_per_minute: int = 120, team_ids: list[str] | None = None) -> Key:
        body = await gql(CREATE_KEY, {"input": {"name": "Province data hub", "modules": modules,
                                                "requestsPerMinute": requests_per_minute, "teamIds": team_ids}},
                         user=admin)
        payload = body["data"]["createApiKey"]
        assert payload["errors"] == [], payload
        return Key(payload["apiKey"]["id"], payload["apiKey"]["prefix"], payload["secret"])

    return make


@pytest.fixture
def as_key(client: httpx.AsyncClient, session: AsyncSession) -> Callable[..., Awaitable[dict[str, Any]]]:
    async def call(key: Key, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        await session.flush()
        response = await client.post("/graphql", json={"query": query, "variables": variables or {}},
                                     headers={"Authorization": f"Bearer {key.secret}"})
        body: dict[str, Any] = response.json()
        return body

    return call


async def number_changes(session: AsyncSession) -> None:
    """What the relay leader does after a commit: give new change rows their positions."""
    await session.execute(text(
        "UPDATE change_log SET position = nextval('change_log_position_seq') WHERE id IN "
        "(SELECT id FROM change_log WHERE position IS NULL ORDER BY id)"
    ))


@dataclass
class Receiver:
    url: str
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    fail_with: int | None = None


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A partner's endpoint on 127.0.0.1 that records every POST."""
    port = free_port()
    state = Receiver(url=f"http://127.0.0.1:{port}/hook")

    async def hook(request: Request) -> Response:
        state.received.append((dict(request.headers), await request.body()))
        return Response(status_code=state.fail_with or 204)

    app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 uvicorn exposes a flag, not an event
        await asyncio.sleep(0.02)
    yield state
    server.should_exit = True
    await task
