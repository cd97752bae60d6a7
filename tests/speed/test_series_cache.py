"""Expanded series are reused across requests, and an edited series or override is expanded afresh."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import CalendarModule
from db.models import EventOverride, User
from db.policies import Viewer
from db.queries import calendar_events
from db.queries.calendar_events import event_entries
from db.queries.calendar_scope import CalendarScope
from db.queries.calendar_series_cache import SeriesEntryCache
from db.rules.calendar_entries import CalendarEntry, EntryKind
from tests.calendar import factories
from tests.conftest import UserFactory

START = datetime(2026, 3, 2, 9, tzinfo=UTC)
WINDOW_START, WINDOW_END = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 15, tzinfo=UTC)


def entry(n: int) -> CalendarEntry:
    return CalendarEntry(f"e{n}", EntryKind.EVENT, CalendarModule.COORDINATION, "t", START, None, False, None, None,
                         "Event", n)


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch) -> SeriesEntryCache:
    fresh = SeriesEntryCache()
    monkeypatch.setattr(calendar_events, "series_entries", fresh)
    return fresh


@pytest.fixture
def expansions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = calendar_events.expand_occurrences

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(calendar_events, "expand_occurrences", counted)
    return calls


async def titles(session: AsyncSession, user: User) -> list[str]:
    scope = CalendarScope(start=WINDOW_START, end=WINDOW_END, viewer=Viewer.of(user))
    return sorted(e.title for e in await event_entries(session, scope) if e.title.startswith("Stand-up"))


async def test_a_series_is_expanded_once_per_version(
    session: AsyncSession, make_user: UserFactory, cache: SeriesEntryCache, expansions: list[int]
) -> None:
    user = await make_user()
    series = await factories.event(session, START, 15, title="Stand-up", rrule="FREQ=DAILY;COUNT=5", owner_id=user.id)
    assert await titles(session, user) == ["Stand-up"] * 5
    assert await titles(session, user) == ["Stand-up"] * 5
    assert len(expansions) == 1  # the second window came from the cache
    series.title = "Stand-up (room 2)"
    await session.flush()
    assert await titles(session, user) == ["Stand-up (room 2)"] * 5
    session.add(EventOverride(event_id=series.id, recurrence_id=START + timedelta(days=1), cancelled=True))
    await session.flush()
    assert await titles(session, user) == ["Stand-up (room 2)"] * 4
    assert len(expansions) == 3  # each edit expanded afresh


def test_the_cache_holds_a_bounded_number_of_entries() -> None:
    cache = SeriesEntryCache(max_entries=5)
    cache.entries("a", lambda: [entry(1), entry(2), entry(3)])
    cache.entries("b", lambda: [entry(4), entry(5)])
    assert len(cache) == 2
    cache.entries("a", lambda: pytest.fail("a is cached"))  # used: b is now the oldest
    cache.entries("c", lambda: [entry(6)])
    assert len(cache) == 2
    rebuilt: list[int] = []
    cache.entries("b", lambda: rebuilt.append(1) or [entry(4), entry(5)])
    assert rebuilt == [1]
    cache.entries("huge", lambda: [entry(n) for n in range(6)])  # larger than the bound: answered, not kept
    assert "huge" not in cache._series
