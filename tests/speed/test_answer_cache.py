"""Kept answers (schema/core/answer_cache.py): a repeated calendar or board costs one version read,
each viewer is answered only from what the policy gave that viewer, and every change recorded by
the product (an event created or edited, a calendar shared or unshared) is seen at once.

The suite's settings turn the cache off (fixtures insert rows without recording changes); here it
is on, and data changes only through the API, as in production.
"""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role, Visibility
from db.statements import counting
from schema.core import answer_cache
from schema.core.answer_cache import ANSWER_CACHE_KEY, AnswerCache
from server.settings import Settings
from tests.calendar import factories as f
from tests.conftest import GraphQL, UserFactory
from tests.policy.leaks import secret_marker, seen
from tests.task.conftest import gid

START = datetime(2032, 4, 5, 9, tzinfo=UTC)
WINDOW = {"start": START.isoformat(), "end": (START + timedelta(days=7)).isoformat()}
CALENDAR = """query($start: DateTime!, $end: DateTime!) {
  calendar(start: $start, end: $end) { entries { id kind title start end } } }"""
CREATE = """mutation($input: CreateEventInput!) { createEvent(input: $input) { event { id } errors { code } } }"""
UPDATE = """mutation($input: UpdateEventInput!) { updateEvent(input: $input) { event { id } errors { code } } }"""
SHARE = """mutation($grantee: ID!) {
  shareCalendar(input: {granteeId: $grantee, level: READ}) { grant { id } errors { code } } }"""
UNSHARE = "mutation($id: ID!) { unshareCalendar(input: {id: $id}) { deletedId errors { code } } }"
BOARD = "{ board(cardsPerColumn: 5) { columns { status totalCount tasks { id title assignees { name } } } } }"
BOARD_WITH_CLOCK = "{ board(cardsPerColumn: 5) { columns { status tasks { id isOverdue } } } }"
OVERDUE_BOARD = "{ board(filter: {overdue: true}, cardsPerColumn: 5) { columns { status tasks { id } } } }"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"answer_cache_bytes": 16 * 2**20})


def cache_of(app: Any) -> AnswerCache:
    cache: AnswerCache = app.state.almanac.extras[ANSWER_CACHE_KEY]
    return cache


async def statements(gql: GraphQL, query: str, variables: dict[str, Any], user: Any) -> tuple[int, dict[str, Any]]:
    with counting() as counter:
        body = await gql(query, variables, user=user)
    assert "errors" not in body, body
    return counter.count, body


async def create_event(gql: GraphQL, user: Any, title: str, **extra: Any) -> str:
    event_input = {"title": title, "start": START.isoformat(), "end": (START + timedelta(hours=1)).isoformat(), **extra}
    body = await gql(CREATE, {"input": event_input}, user=user)
    result = body["data"]["createEvent"]
    assert result["errors"] == [], body
    event_id: str = result["event"]["id"]
    return event_id


async def overhead(gql: GraphQL, user: Any) -> int:
    """Statements of an operation that reads nothing (the token's user, in a savepoint), plus the
    savepoint pair the tests wrap every session in: what a read of one statement adds is one."""
    return (await statements(gql, "{ __typename }", {}, user))[0] + 2


async def test_a_repeated_calendar_costs_one_version_read(
    gql: GraphQL, make_user: UserFactory, app: Any, client: httpx.AsyncClient
) -> None:
    user = await make_user()
    await create_event(gql, user, "Budget hearing")
    first_count, first = await statements(gql, CALENDAR, WINDOW, user)
    second_count, second = await statements(gql, CALENDAR, WINDOW, user)
    assert second == first
    assert "Budget hearing" in {e["title"] for e in first["data"]["calendar"]["entries"]}
    fixed = await overhead(gql, user)
    assert second_count == fixed + 1 < first_count, (fixed, first_count, second_count)  # the data version only
    assert cache_of(app).hits == 1
    metrics = (await client.get("/metrics")).text
    assert 'almanac_answer_cache_reads_total{outcome="hit"} 1.0' in metrics
    assert f"almanac_answer_cache_bytes {float(cache_of(app).held_bytes)}" in metrics


async def test_every_viewer_gets_only_what_the_policy_gave_them(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession, app: Any
) -> None:
    owner, other = await make_user(), await make_user()
    marker = secret_marker()
    await create_event(gql, owner, marker, visibility=Visibility.PRIVATE.name)
    for _ in range(2):  # a fresh read, then a kept one, for each viewer in turn
        assert seen(marker, await gql(CALENDAR, WINDOW, user=owner))
        assert not seen(marker, await gql(CALENDAR, WINDOW, user=other))
    assert cache_of(app).hits == 2  # the second round was answered from kept answers
    manager = await make_user(Role.MANAGER)  # another role, its own answer
    assert not seen(marker, await gql(CALENDAR, WINDOW, user=manager))


async def test_changes_are_seen_at_once(gql: GraphQL, make_user: UserFactory) -> None:
    owner, reader = await make_user(), await make_user()
    assert (await gql(CALENDAR, WINDOW, user=reader))["data"]["calendar"]["entries"] == []
    event_id = await create_event(gql, owner, "Site visit")
    titles = [e["title"] for e in (await gql(CALENDAR, WINDOW, user=reader))["data"]["calendar"]["entries"]]
    assert titles == ["Site visit"]
    body = await gql(UPDATE, {"input": {"id": event_id, "title": "Site visit (moved)"}}, user=owner)
    assert body["data"]["updateEvent"]["errors"] == [], body
    titles = [e["title"] for e in (await gql(CALENDAR, WINDOW, user=reader))["data"]["calendar"]["entries"]]
    assert titles == ["Site visit (moved)"]


async def test_a_grant_and_its_revocation_are_seen_at_once(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession, app: Any
) -> None:
    owner, grantee = await make_user(), await make_user()
    marker = secret_marker()
    await f.event(session, START, owner_id=owner.id, visibility=Visibility.PRIVATE, title=marker)
    assert not seen(marker, await gql(CALENDAR, WINDOW, user=grantee))
    assert not seen(marker, await gql(CALENDAR, WINDOW, user=grantee))  # kept
    assert cache_of(app).hits == 1
    granted = (await gql(SHARE, {"grantee": gid("User", grantee.id)}, user=owner))["data"]["shareCalendar"]
    assert granted["errors"] == [], granted
    assert seen(marker, await gql(CALENDAR, WINDOW, user=grantee))
    revoked = (await gql(UNSHARE, {"id": granted["grant"]["id"]}, user=owner))["data"]["unshareCalendar"]
    assert revoked["errors"] == [], revoked
    assert not seen(marker, await gql(CALENDAR, WINDOW, user=grantee))


async def test_the_board_is_kept_but_not_what_the_clock_decides(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()
    fixed = await overhead(gql, user)
    first, _ = await statements(gql, BOARD, {}, user)
    again, _ = await statements(gql, BOARD, {}, user)
    assert again == fixed + 1 < first
    for query in (BOARD_WITH_CLOCK, OVERDUE_BOARD):  # isOverdue and overdue: compare with now()
        counts = [(await statements(gql, query, {}, user))[0] for _ in range(2)]
        assert counts[0] == counts[1] > fixed + 1, (query, counts)


async def test_directives_and_variables_are_part_of_the_selection(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()
    await create_event(gql, user, "Workshop")
    with_kind = """query($start: DateTime!, $end: DateTime!, $kind: Boolean!) {
      calendar(start: $start, end: $end) { entries { title kind @include(if: $kind) } } }"""
    counts = [(await statements(gql, with_kind, {**WINDOW, "kind": True}, user))[0] for _ in range(2)]
    assert counts[0] == counts[1] > await overhead(gql, user) + 1  # a directive: never kept
    later = {"start": (START + timedelta(days=7)).isoformat(), "end": (START + timedelta(days=14)).isoformat()}
    await gql(CALENDAR, WINDOW, user=user)
    body = await gql(CALENDAR, later, user=user)  # other variables: another answer
    assert body["data"]["calendar"]["entries"] == []


async def test_readers_of_one_answer_wait_for_its_first_computation() -> None:
    cache = AnswerCache(max_bytes=1000)
    assert await cache.follow("k", "v1") is None  # nobody computes it: the reader computes it itself
    done = cache.lead("k", "v1")
    followers = [asyncio.create_task(cache.follow("k", "v1")) for _ in range(4)]
    other_version = asyncio.create_task(cache.follow("k", "v2"))
    await asyncio.sleep(0)
    done({"calendar": {"entries": [1, 2]}})
    assert await asyncio.gather(*followers) == [b'{"calendar":{"entries":[1,2]}}'] * 4
    assert await other_version is None
    assert cache.followed == 4 and cache.get("k", "v1") == b'{"calendar":{"entries":[1,2]}}'

    failed = cache.lead("k", "v3")
    waiting = asyncio.create_task(cache.follow("k", "v3"))
    await asyncio.sleep(0)
    failed(None)  # an error: the followers compute for themselves, nothing is kept
    assert await waiting is None and cache.get("k", "v3") is None


async def test_followers_are_let_go_when_the_leaders_task_ends_without_an_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A leader whose completion never ran (its operation failed or was cancelled before it) called
    neither result: its followers waited out FOLLOWER_WAIT_SECONDS and its pending entry stayed."""
    monkeypatch.setattr(answer_cache, "FOLLOWER_WAIT_SECONDS", 3600)
    cache = AnswerCache(max_bytes=1000)
    led, finish = asyncio.Event(), asyncio.Event()

    async def leader() -> None:
        cache.lead("k", "v1")
        led.set()
        await finish.wait()

    leading = asyncio.create_task(leader())
    await led.wait()
    follower = asyncio.create_task(cache.follow("k", "v1"))
    await asyncio.sleep(0)
    finish.set()
    await leading
    for _ in range(5):
        await asyncio.sleep(0)
    assert follower.done() and follower.result() is None
    assert await cache.follow("k", "v1") is None and cache.followed == 1  # nothing pending any more


async def test_variables_the_selection_does_not_use_are_not_part_of_its_key(
    app: Any, gql: GraphQL, make_user: UserFactory,
) -> None:
    """Another field's variable (a task page's size, a client's request id) made every request a miss
    and a new entry."""
    user = await make_user()
    await create_event(gql, user, "Workshop")
    both = """query($start: DateTime!, $end: DateTime!, $first: Int) {
      calendar(start: $start, end: $end) { entries { title } } tasks(first: $first) { totalCount } }"""
    first = await gql(both, {**WINDOW, "first": 1}, user=user)
    assert "errors" not in first, first
    hits = cache_of(app).hits
    body = await gql(both, {**WINDOW, "first": 2}, user=user)
    assert body["data"]["calendar"]["entries"] == [{"title": "Workshop"}]
    assert cache_of(app).hits == hits + 1


def test_the_cache_is_bounded_by_bytes_and_keeps_one_version_per_key() -> None:
    cache = AnswerCache(max_bytes=100)
    cache.put("a", "v1", b"x" * 40)
    cache.put("a", "v2", b"y" * 40)  # replaces v1
    assert cache.get("a", "v1") is None and cache.get("a", "v2") == b"y" * 40
    cache.put("b", "v1", b"z" * 40)
    cache.put("c", "v1", b"w" * 40)  # 120 bytes: the least recently used ("a") goes
    assert cache.get("a", "v2") is None and len(cache) == 2 and cache.held_bytes == 80
    cache.put("d", "v1", b"q" * 101)  # larger than the whole cache: not kept
    assert cache.get("d", "v1") is None


def test_the_cache_is_bounded_by_entries_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny answers under ever-new variables: bytes alone would let entries (and their keys) pile up."""
    monkeypatch.setattr(answer_cache, "MAX_ANSWERS", 2)
    cache = AnswerCache(max_bytes=1000)
    for key in "abc":
        cache.put(key, "v1", b"{}")
    assert len(cache) == 2 and cache.get("a", "v1") is None and cache.held_bytes == 4
