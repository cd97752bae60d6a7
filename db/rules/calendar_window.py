"""Which of a source's entries a calendar window shows (no I/O).

``calendarChanged`` computes a changed source's entries once over the hull of every
subscribed window, then hands each window the entries it shows. The rules mirror the
SQL window filters of ``db.queries.calendar_*`` exactly, so the result equals asking
the calendar for that window:

* an entry ``[s, e)`` with ``s < e``: ``s < end`` and ``e > start`` (events, bookings,
  all-day dates: a date is the UTC day ``[d, d + 1)``, see ``day_bounds``);
* a zero-length event (``s == e``) and a task due date (no end): ``start <= s < end``;
* a zero-length booking (never stored): ``start < s < end`` as its SQL reads.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from db.enums import CalendarModule
from db.rules.calendar_entries import CalendarEntry, EntryKind

Window = tuple[datetime, datetime]


def entry_in_window(entry: CalendarEntry, start: datetime, end: datetime) -> bool:
    if entry.end is None:
        return start <= entry.start < end
    if entry.start == entry.end and entry.kind is not EntryKind.BOOKING:
        return start <= entry.start < end
    return entry.start < end and entry.end > start


def entries_in_window(entries: Iterable[CalendarEntry], start: datetime, end: datetime,
                      modules: frozenset[CalendarModule] | None) -> list[CalendarEntry]:
    """The entries a window (with its module filter) shows, in the given order."""
    return [e for e in entries
            if (modules is None or e.module in modules) and entry_in_window(e, start, end)]


def hull(windows: Iterable[Window]) -> Window | None:
    """The smallest window holding every one given (None for none)."""
    found = list(windows)
    if not found:
        return None
    return min(start for start, _ in found), max(end for _, end in found)
