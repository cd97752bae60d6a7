"""Acceptance: under each attack of issue 11, another user's `{ __typename }` is still answered promptly.

Each attack runs as 20 concurrent requests on the same app (one event loop, as one server
process) while a signed-in bystander asks `{ __typename }` five times. The attack must be
refused cheaply, and the bystander's median may grow by a generous factor only: no
tight wall-clock bound (the machine is shared), a ratio to the idle median plus slack.
"""
from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import Role
from db.models import User
from server.settings import Settings
from tests.conftest import DEFAULT_PASSWORD, REDIS_URL, password_hash_for, token_for

Attack = Callable[[httpx.AsyncClient, dict[str, str]], Awaitable[httpx.Response]]

REPEATED_ME = "{ " + "me { name } " * 490 + "}"
NESTED = "name"
for _field in ("teams", "user", "members", "teams", "me"):
    NESTED = " ".join([f"{_field} {{ {NESTED} }}"] * 3)
DEEP = '{"query": "{ __typename }", "variables": {"v": ' + '{"a":' * 5000 + "1" + "}" * 5000 + "}}"
LOGIN = 'mutation { login(input: {email: "%s", password: "guess"}) { errors { code } } }'


async def anonymous_repetition(http: httpx.AsyncClient, env: dict[str, str]) -> httpx.Response:
    return await http.post("/graphql", json={"query": REPEATED_ME})


async def signed_in_repetition(http: httpx.AsyncClient, env: dict[str, str]) -> httpx.Response:
    return await http.post("/graphql", json={"query": "{ " + NESTED + " }"}, headers=env["attacker"])


async def deep_json(http: httpx.AsyncClient, env: dict[str, str]) -> httpx.Response:
    return await http.post("/graphql", content=DEEP, headers={**env["attacker"], "content-type": "application/json"})


async def huge_body(http: httpx.AsyncClient, env: dict[str, str]) -> httpx.Response:
    return await http.post("/graphql", content=b"[" * (2 * 1024 * 1024), headers={"content-type": "application/json"})


async def year_calendar(http: httpx.AsyncClient, env: dict[str, str]) -> httpx.Response:
    query = '{ calendar(start: "2026-01-01T00:00:00Z", end: "2027-02-01T00:00:00Z") { entries { id title } } }'
    return await http.post("/graphql", json={"query": query}, headers=env["attacker"])


async def login_guess(http: httpx.AsyncClient, env: dict[str, str]) -> httpx.Response:
    return await http.post("/graphql", json={"query": LOGIN % env["victim_email"]})


# attack -> what refusing it looks like (status, or the first error's code); 429 is always a refusal
# (the execution-time budget also stops login floods: each waits for an argon2 slot)
ATTACKS: dict[str, tuple[Attack, set[Any]]] = {
    "hole 4, anonymous repeated field": (anonymous_repetition, {"UNAUTHENTICATED"}),
    "hole 4, signed-in repeated nesting": (signed_in_repetition, {"QUERY_TOO_COMPLEX"}),
    "hole 5, nested JSON": (deep_json, {400}),
    "hole 5, huge body": (huge_body, {413}),
    "hole 6, year calendars": (year_calendar, {200, 429}),
    "hole 7, login guessing": (login_guess, {"INVALID_CREDENTIALS", "RATE_LIMITED"}),
}


async def bystander_latencies(http: httpx.AsyncClient, headers: dict[str, str], count: int = 5) -> list[float]:
    seconds = []
    for _ in range(count):
        started = time.perf_counter()
        response = await http.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
        seconds.append(time.perf_counter() - started)
        assert response.json() == {"data": {"__typename": "Query"}}
    return seconds


def outcome(response: httpx.Response) -> Any:
    body = response.json()
    errors = body.get("errors") or []
    if errors:
        return errors[0]["extensions"]["code"]
    data = body.get("data") or {}
    login = data.get("login") if isinstance(data, dict) else None
    if login and login["errors"]:
        return login["errors"][0]["code"]
    return response.status_code


@pytest.fixture
async def users(committed_sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[dict[str, User]]:
    """A victim and an attacker, committed: the attack's concurrent requests need a connection each."""
    suffix = uuid.uuid4().hex[:8]
    made = {role: User(email=f"iso-{role}-{suffix}@example.org", name=role, role=Role(role.upper()),
                       password_hash=password_hash_for(DEFAULT_PASSWORD)) for role in ("staff", "viewer")}
    async with committed_sessionmaker() as session:
        session.add_all(made.values())
        await session.commit()
    yield made
    async with committed_sessionmaker() as session:
        await session.execute(delete(User).where(User.email.like(f"iso-%-{suffix}@example.org")))
        await session.commit()


@pytest.fixture
async def pooled_client(settings: Settings, committed_sessionmaker: async_sessionmaker[AsyncSession]
                        ) -> AsyncIterator[httpx.AsyncClient]:
    from server.app import create_app

    app = create_app(settings, sessionmaker=committed_sessionmaker, redis=Redis.from_url(REDIS_URL))
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport,
                                                                    base_url="http://testserver") as http:
        yield http


@pytest.mark.parametrize("name", list(ATTACKS))
async def test_another_user_is_answered_while_an_attack_runs(
    name: str, pooled_client: httpx.AsyncClient, users: dict[str, User]
) -> None:
    client = pooled_client
    attack, refused = ATTACKS[name]
    victim = users["staff"]
    env = {"attacker": {"Authorization": f"Bearer {token_for(users['viewer'])}"}, "victim_email": victim.email}
    bystander = {"Authorization": f"Bearer {token_for(victim)}"}
    await bystander_latencies(client, bystander, 2)  # warm the caches
    idle = statistics.median(await bystander_latencies(client, bystander))

    attacks = [asyncio.create_task(attack(client, env)) for _ in range(20)]
    under_attack = await bystander_latencies(client, bystander)
    responses = await asyncio.gather(*attacks)

    outcomes = {outcome(response) if response.status_code < 400 else response.status_code
                for response in responses}
    assert outcomes <= refused | {429, "RATE_LIMITED"}, outcomes
    assert max(under_attack) < 10.0
    assert statistics.median(under_attack) <= 20 * idle + 0.25, (idle, under_attack)
