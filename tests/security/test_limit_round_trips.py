"""With the default limits on, an operation makes one Redis round trip (it used to make four or five)."""
from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from redis.asyncio.connection import Connection
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import Role
from db.models import User
from server import budget_script
from server.budget_script import BUDGETS_KEY, Budgets, budgets_for
from server.rate_limit import identity_of, time_budget_for
from server.settings import Settings
from tests.api.limits_schema import ContextStub, StateStub, UserStub, run
from tests.conftest import (
    DEFAULT_PASSWORD,
    REDIS_URL,
    SECRET,
    UserFactory,
    password_hash_for,
    token_for,
)

SENT: list[bytes] = []


class CountingConnection(Connection):
    """Each packed command written is one round trip (a pipeline is one too)."""

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        SENT.append(command if isinstance(command, bytes) else b"".join(command))
        await super().send_packed_command(command, check_health)


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The defaults (conftest turns the time budget off), in a fresh namespace."""
    return Settings(DATABASE_URL=database_url, REDIS_URL=REDIS_URL, ALMANAC_SECRET_KEY=SECRET,
                    ALMANAC_TIME_BUDGET="15000/minute", ALMANAC_ANSWER_CACHE_BYTES=0,
                    ALMANAC_REDIS_NAMESPACE=f"almanac-test-{uuid.uuid4().hex[:8]}")


@pytest.fixture
async def app(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession],
              monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Any]:
    from server.app import create_app

    monkeypatch.setattr(budget_script, "FLUSH_DELAY", 60.0)  # time charges only ride on the next script
    application = create_app(settings, sessionmaker=sessionmaker,
                             redis=Redis.from_url(REDIS_URL, connection_class=CountingConnection))
    async with application.router.lifespan_context(application):
        yield application


async def round_trips(client: httpx.AsyncClient, query: str, token: str | None, times: int) -> list[int]:
    """Commands sent to Redis during each of ``times`` operations, after one to warm up."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    warm = await client.post("/graphql", json={"query": query}, headers=headers)
    assert warm.status_code == 200 and "errors" not in warm.json(), warm.text
    counts = []
    for _ in range(times):
        before = len(SENT)
        answer = await client.post("/graphql", json={"query": query}, headers=headers)
        assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
        assert answer.headers["x-cost-limit"]  # the cost budget was read
        counts.append(len(SENT) - before)
    return counts


async def test_each_operation_makes_one_round_trip(client: httpx.AsyncClient, make_user: UserFactory) -> None:
    token = token_for(await make_user(Role.STAFF))
    assert await round_trips(client, "{ __typename }", None, 3) == [1, 1, 1]
    assert await round_trips(client, "{ me { id } }", token, 3) == [1, 1, 1]
    assert await round_trips(client, "{ tasks(first: 10) { nodes { id title } } }", token, 3) == [1, 1, 1]


async def test_a_refusal_is_one_round_trip_too(
    client: httpx.AsyncClient, make_user: UserFactory, settings: Settings
) -> None:
    token = token_for(await make_user(Role.STAFF))
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(600):  # ALMANAC_RATE_LIMIT's default
        assert (await client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)).status_code == 200
    before = len(SENT)
    refused = await client.post("/graphql", json={"query": "{ me { id } }"}, headers=headers)
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert len(SENT) - before == 1


async def test_time_charges_wait_for_the_next_script_and_are_all_counted(
    app: Any, client: httpx.AsyncClient, make_user: UserFactory
) -> None:
    user = await make_user(Role.STAFF)
    headers = {"Authorization": f"Bearer {token_for(user)}"}
    state = app.state.almanac
    limiter = time_budget_for(state)
    assert limiter is not None
    identity = identity_of(SimpleNamespace(user=user))
    for _ in range(4):
        assert (await client.post("/graphql", json={"query": "{ me { id } }"}, headers=headers)).status_code == 200
    budgets: Budgets = state.extras[BUDGETS_KEY]
    assert [charge.identity for charge in budgets.pending.values()] == [identity]  # the last one's, not yet sent
    sent_with_the_scripts = limiter.item.amount - await limiter.remaining(identity)
    await budgets.run(())
    spent = limiter.item.amount - await limiter.remaining(identity)
    assert sent_with_the_scripts >= 3 and spent > sent_with_the_scripts  # each operation charged, at least 1 ms


class TestConcurrency:
    """Operations at once need sessions that commit (the test's own session is one connection)."""

    @pytest.fixture
    def settings(self, database_url: str) -> Settings:
        return Settings(DATABASE_URL=database_url, REDIS_URL=REDIS_URL, ALMANAC_SECRET_KEY=SECRET,
                        ALMANAC_RATE_LIMIT="8/minute", ALMANAC_COST_BUDGET="3/minute",
                        ALMANAC_REDIS_NAMESPACE=f"almanac-test-{uuid.uuid4().hex[:8]}")

    @pytest.fixture
    async def user(self, committed_sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[User]:
        async with committed_sessionmaker() as session:
            user = User(email=f"user-{uuid.uuid4().hex[:8]}@example.org", name="Racer", role=Role.STAFF,
                        password_hash=password_hash_for(DEFAULT_PASSWORD))
            session.add(user)
            await session.commit()
        yield user
        async with committed_sessionmaker() as session:
            await session.execute(delete(User).where(User.id == user.id))
            await session.commit()

    async def test_operations_at_once_in_two_processes_never_pass_the_limits(
        self, settings: Settings, committed_sessionmaker: async_sessionmaker[AsyncSession], user: User
    ) -> None:
        """The counts are taken in Redis, in the script: 2 x 10 operations at once, from two apps (two
        processes) sharing a namespace, admit what the limits allow and no more."""
        from server.app import create_app

        apps = [create_app(settings, sessionmaker=committed_sessionmaker, redis=Redis.from_url(REDIS_URL))
                for _ in range(2)]
        async with AsyncExitStack() as stack:
            clients = []
            for app in apps:
                await stack.enter_async_context(app.router.lifespan_context(app))
                clients.append(await stack.enter_async_context(httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://testserver")))
            anonymous = await asyncio.gather(*[
                http.post("/graphql", json={"query": "{ __typename }"}) for http in clients for _ in range(10)
            ])
            assert sorted(a.status_code for a in anonymous) == [200] * 8 + [429] * 12  # 8 a minute
            headers = {"Authorization": f"Bearer {token_for(user)}"}
            for http in clients:  # each process has seen the text: its budget steps go with the count
                assert (await http.post("/graphql", json={"query": "{ me { id } }"}, headers=headers)).status_code == 200
            signed_in = await asyncio.gather(*[  # me { id } costs 1 point of 3 a minute: 1 left
                http.post("/graphql", json={"query": "{ me { id } }"}, headers=headers)
                for http in clients for _ in range(10)
            ])
            assert sorted(a.status_code for a in signed_in) == [200] + [429] * 19
            codes = {a.json()["errors"][0]["extensions"]["code"] for a in signed_in if a.status_code == 429}
            assert codes == {"RATE_LIMITED"}


async def test_operations_that_start_together_share_one_round_trip() -> None:
    """Ten operations started in one turn of the loop: their counts and budgets, and the time charges
    waiting from the operation before, go to Redis in one script."""
    settings = Settings(REDIS_URL=REDIS_URL, ALMANAC_TIME_BUDGET="15000/minute",
                        ALMANAC_REDIS_NAMESPACE=f"almanac-test-{uuid.uuid4().hex[:8]}")
    state = StateStub(settings=settings, redis=Redis.from_url(REDIS_URL, connection_class=CountingConnection))
    context = ContextStub(state=state, user=UserStub(id=1))
    try:
        assert (await run("{ tags { name } }", context)).errors is None  # connects, loads the script
        before = len(SENT)
        results = await asyncio.gather(*[run("{ tags { name } }", context) for _ in range(10)])
        assert [r.errors for r in results] == [None] * 10
        assert len(SENT) - before == 1
        # EVALSHA, its digest and key count, then per step its keys and five arguments (two keys for a
        # budget, one for the count), after the time and step count: a charge, then 3 steps x 10
        keys, arguments = 2 + 10 * (1 + 2 + 2), 2 + 5 * (1 + 3 * 10)
        assert SENT[-1].startswith(b"*%d\r\n$7\r\nEVALSHA" % (3 + keys + arguments))
    finally:
        await budgets_for(state).aclose()
        await state.redis.aclose()


async def test_operations_at_once_are_let_through_when_redis_is_down() -> None:
    """As each call to the limiter did: an outage of the limiter does not take the API down."""
    settings = Settings(REDIS_URL="redis://127.0.0.1:1/0", ALMANAC_RATE_LIMIT="2/minute",
                        ALMANAC_TIME_BUDGET="2/minute", ALMANAC_COST_BUDGET="1/minute")
    state = StateStub(settings=settings, redis=Redis.from_url("redis://127.0.0.1:1/0"))
    context = ContextStub(state=state, user=UserStub(id=1))
    try:
        for _ in range(2):  # the second time, the text's budgets go with the count
            results = await asyncio.gather(*[run("{ tags { name } }", context) for _ in range(6)])
            assert [r.errors for r in results] == [None] * 6
    finally:
        await state.redis.aclose()


async def test_waiting_time_charges_reach_redis_when_the_app_stops(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], make_user: UserFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The last operations' charges wait for a next script that never comes: shutdown sends them,
    and no send is left running on a closed connection (its task used to die with the event loop)."""
    from server.app import create_app

    monkeypatch.setattr(budget_script, "FLUSH_DELAY", 60.0)
    user = await make_user(Role.STAFF)
    identity = identity_of(SimpleNamespace(user=user))
    application = create_app(settings, sessionmaker=sessionmaker, redis=Redis.from_url(REDIS_URL))
    async with application.router.lifespan_context(application):
        state = application.state.almanac
        limiter = time_budget_for(state)
        assert limiter is not None
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            answer = await client.post("/graphql", json={"query": "{ me { id } }"},
                                       headers={"Authorization": f"Bearer {token_for(user)}"})
            assert answer.status_code == 200 and "errors" not in answer.json()
        budgets: Budgets = state.extras[BUDGETS_KEY]
        assert budgets.pending and budgets.timer is not None  # charged, not sent
        before = await limiter.remaining(identity)
    assert not budgets.pending and budgets.timer is None and not budgets.flushes
    assert before == limiter.item.amount  # nothing of the charge had been sent while the app ran
    assert await limiter.remaining(identity) < before  # sent at shutdown
