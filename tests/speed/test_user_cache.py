"""Token -> user: a narrow row (no password hash), cached for seconds, dropped on the user's change-log entries."""
from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any
from unittest.mock import ANY

import httpx
import pytest
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import DetachedInstanceError

from db import statements
from db.enums import ChangeOp, Role
from server import graphql_view
from server import viewer as viewer_module
from server.auth import issue_token
from server.changes import Change
from server.viewer import UserCache, load_active_user, user_for_token
from tests.conftest import SECRET, UserFactory, token_for


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def change(entity_type: str, entity_id: int) -> Change:
    return Change(position=1, id=1, entity_type=entity_type, entity_id=entity_id, op=ChangeOp.UPDATED,
                  payload={}, actor_id=None, created_at=datetime.now(UTC))


async def one_lookup(sessionmaker: async_sessionmaker[AsyncSession], user_id: int) -> int:
    """Statements of one uncached lookup here (the test's sessions add SAVEPOINT/RELEASE around it)."""
    with statements.counting() as sql:
        await load_active_user(sessionmaker, user_id)
    return sql.count


async def test_the_user_row_has_no_password_hash(
    sessionmaker: async_sessionmaker[AsyncSession], make_user: UserFactory, session: AsyncSession
) -> None:
    user = await make_user(Role.MANAGER, name="Mina")
    await session.flush()
    loaded = await load_active_user(sessionmaker, user.id)
    assert loaded is not None
    assert (loaded.id, loaded.name, loaded.role, loaded.email, loaded.is_active) == (
        user.id, "Mina", Role.MANAGER, user.email, True)
    with pytest.raises(DetachedInstanceError):
        _ = loaded.password_hash  # never selected: code that needs it must load it itself


async def test_cached_users_cost_no_statement_until_they_expire(
    sessionmaker: async_sessionmaker[AsyncSession], make_user: UserFactory, session: AsyncSession
) -> None:
    user = await make_user()
    await session.flush()
    lookup = await one_lookup(sessionmaker, user.id)
    clock = Clock()
    cache = UserCache(5, clock=clock)
    token = token_for(user)
    with statements.counting() as sql:
        first = await user_for_token(token, secret=SECRET, cache=cache, sessionmaker=sessionmaker)
        second = await user_for_token(token, secret=SECRET, cache=cache, sessionmaker=sessionmaker)
    assert first is not None and second is first
    assert sql.count == lookup
    clock.now += 5
    with statements.counting() as sql:
        assert await user_for_token(token, secret=SECRET, cache=cache, sessionmaker=sessionmaker) is not None
    assert sql.count == lookup


async def test_deactivation_takes_effect_on_the_users_change_log_entry(
    sessionmaker: async_sessionmaker[AsyncSession], make_user: UserFactory, session: AsyncSession
) -> None:
    user = await make_user()
    other = await make_user()
    await session.flush()
    cache = UserCache(3600, clock=Clock())
    token = token_for(user)
    assert await user_for_token(token, secret=SECRET, cache=cache, sessionmaker=sessionmaker) is not None
    user.is_active = False
    await session.flush()
    cache.on_change(change("Task", user.id))  # another entity with the same id: no effect
    cache.on_change(change("User", other.id))
    assert await user_for_token(token, secret=SECRET, cache=cache, sessionmaker=sessionmaker) is not None
    cache.on_change(change("User", user.id))
    assert await user_for_token(token, secret=SECRET, cache=cache, sessionmaker=sessionmaker) is None


async def test_a_password_change_is_seen_by_a_token_of_either_version_before_its_change_row(
    sessionmaker: async_sessionmaker[AsyncSession], make_user: UserFactory, session: AsyncSession
) -> None:
    # given a process that cached the user before a password change it has not heard of yet
    user = await make_user()
    await session.flush()
    cache = UserCache(3600, clock=Clock())
    old = token_for(user)
    assert await user_for_token(old, secret=SECRET, cache=cache, sessionmaker=sessionmaker) is not None
    user.token_version += 1  # what revoke_tokens writes (the change row is still on its way)
    await session.flush()
    new = issue_token(user.id, SECRET, ttl_minutes=60, token_version=user.token_version)
    # when the new token arrives first, the stale row is reloaded instead of refusing it
    fresh = await user_for_token(new, secret=SECRET, cache=cache, sessionmaker=sessionmaker)
    assert fresh is not None and fresh.token_version == 1
    # and from then on the old token is refused, without waiting for the change row
    assert await user_for_token(old, secret=SECRET, cache=cache, sessionmaker=sessionmaker) is None


async def test_a_zero_ttl_caches_nothing(
    sessionmaker: async_sessionmaker[AsyncSession], make_user: UserFactory, session: AsyncSession
) -> None:
    user = await make_user()
    await session.flush()
    lookup = await one_lookup(sessionmaker, user.id)
    cache = UserCache(0)
    token = token_for(user)
    with statements.counting() as sql:
        for _ in range(3):
            assert await user_for_token(token, secret=SECRET, cache=cache, sessionmaker=sessionmaker) is not None
    assert sql.count == 3 * lookup


async def test_bad_tokens_never_reach_the_database(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    cache = UserCache(5)
    with statements.counting() as sql:
        for token in (None, "", "not-a-jwt"):
            assert await user_for_token(token, secret=SECRET, cache=cache, sessionmaker=sessionmaker) is None
    assert sql.count == 0


async def test_a_remembered_token_stops_working_when_it_expires(
    sessionmaker: async_sessionmaker[AsyncSession], make_user: UserFactory, session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = await make_user()
    await session.flush()
    cache = UserCache(5)
    token = token_for(user)  # valid for 60 minutes
    assert cache.subject(token, SECRET) == (user.id, ANY, 0)
    assert cache.subject(token, "another-secret-key-with-enough-length") == (user.id, ANY, 0)  # remembered, not re-verified
    later = time.time() + 61 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert cache.subject(token, SECRET) is None  # (PyJWT, on its own clock, refuses it from then on too)


async def test_concurrent_misses_share_one_lookup() -> None:
    cache = UserCache(5)
    calls: list[int] = []
    gate = asyncio.Event()

    async def lookup() -> Any:
        calls.append(1)
        await gate.wait()
        return None  # an unknown user: nothing cached, every waiter gets None

    waiters = [asyncio.create_task(cache.load(7, lookup)) for _ in range(20)]
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*waiters) == [None] * 20
    assert calls == [1]


async def test_a_sign_in_lookup_that_finds_no_free_connection_answers_503(
    client: httpx.AsyncClient, make_user: UserFactory, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await make_user()
    await session.flush()

    async def exhausted(*_args: Any, **_kwargs: Any) -> None:
        raise PoolTimeout("QueuePool limit of size 5 overflow 3 reached")

    monkeypatch.setattr(graphql_view, "load_user_for_token", exhausted)
    response = await client.post("/graphql", json={"query": "{ me { id } }"},
                                 headers={"Authorization": f"Bearer {token_for(user)}"})
    assert response.status_code == 503
    assert "busy" in response.text and "QueuePool" not in response.text


async def test_first_sign_ins_of_different_users_at_once_share_one_select(
    sessionmaker: async_sessionmaker[AsyncSession], make_user: UserFactory, session: AsyncSession
) -> None:
    # given five users, one of them deactivated, none cached (a reconnect storm's connection_inits)
    users = [await make_user() for _ in range(5)]
    users[3].is_active = False
    await session.flush()
    lookup = await one_lookup(sessionmaker, users[0].id)
    cache = UserCache(5, clock=Clock())
    # when their tokens arrive at once
    with statements.counting() as sql:
        found = await asyncio.gather(*(user_for_token(token_for(u), secret=SECRET, cache=cache,
                                                      sessionmaker=sessionmaker) for u in users))
    # then one lookup's statements read them all, and the deactivated one is nobody
    assert [u.id if u is not None else None for u in found] == [users[0].id, users[1].id, users[2].id, None,
                                                               users[4].id]
    assert sql.count == lookup


async def test_a_batch_of_sign_ins_is_read_in_bounded_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    # given reads of at most two users each
    monkeypatch.setattr(viewer_module, "MAX_USERS_PER_READ", 2)
    reads: list[list[int]] = []

    async def load(_sessionmaker: Any, ids: list[int]) -> dict[int, Any]:
        reads.append(ids)
        return {pk: f"user {pk}" for pk in ids}

    monkeypatch.setattr(viewer_module, "load_active_users", load)
    cache = UserCache(5, clock=Clock())
    maker: Any = object()
    # when five uncached users sign in within one loop iteration
    found = await asyncio.gather(*(cache.batched(maker, pk) for pk in range(1, 6)))
    # then three reads of at most two answer them all
    assert found == [f"user {pk}" for pk in range(1, 6)]
    assert reads == [[1, 2], [3, 4], [5]]
