"""The in-memory window rule calendarChanged uses to hand each window its part of a source's
entries read over a wider span: the same edges as the calendar's SQL filters."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from db.enums import CalendarModule
from db.rules.calendar_entries import CalendarEntry, EntryKind, date_entry
from db.rules.calendar_window import entries_in_window, entry_in_window, hull

START = datetime(2032, 1, 10, tzinfo=UTC)
END = datetime(2032, 1, 20, tzinfo=UTC)


def event(start: datetime, end: datetime | None, kind: EntryKind = EntryKind.EVENT) -> CalendarEntry:
    return CalendarEntry("id", kind, CalendarModule.COORDINATION, "t", start, end, False, None, None, "Event", 1)


@pytest.mark.parametrize(("entry", "shown"), [
    (event(START - timedelta(hours=1), START), False),  # ends where the window starts
    (event(START - timedelta(hours=1), START + timedelta(minutes=1)), True),
    (event(END, END + timedelta(hours=1)), False),  # starts where the window ends
    (event(START, START), True),  # zero-length at the window's start: in
    (event(END, END), False),  # zero-length at its end: out
    (event(END, None, EntryKind.TASK_DUE), False),  # due exactly at the end
    (event(START, None, EntryKind.TASK_DUE), True),
    (event(START, START, EntryKind.BOOKING), False),  # as booking SQL reads: ends_at > start
    (date_entry(EntryKind.PPA_STAGE, "PpaStage", 1, "s", date(2032, 1, 1), date(2032, 1, 9), "PpaStage", 1), False),
    (date_entry(EntryKind.PPA_STAGE, "PpaStage", 1, "s", date(2032, 1, 1), date(2032, 1, 10), "PpaStage", 1), True),
    (date_entry(EntryKind.PPA_START, "PpaStart", 1, "p", date(2032, 1, 20), None, "Ppa", 1), False),
    (date_entry(EntryKind.PPA_START, "PpaStart", 1, "p", date(2032, 1, 19), None, "Ppa", 1), True),
])
def test_window_edges_match_the_calendar_queries(entry: CalendarEntry, shown: bool) -> None:
    assert entry_in_window(entry, START, END) is shown


def test_a_module_filter_and_the_hull() -> None:
    inside = event(START + timedelta(days=1), START + timedelta(days=1, hours=1))
    assert entries_in_window([inside], START, END, frozenset({CalendarModule.TASKS})) == []
    assert entries_in_window([inside], START, END, None) == [inside]
    assert hull([(START, END), (START - timedelta(days=3), START)]) == (START - timedelta(days=3), END)
    assert hull([]) is None
