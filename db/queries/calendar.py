"""The unified calendar: every source's entries in a window, one SQL statement per source.

Each source (events and their overrides, task due dates, PPA dates, milestones,
stage schedules, assessment milestones, bookings) is one window-filtered query
selecting only the columns an entry needs; entries are plain objects built in
one pass. The number of statements is fixed (at most ten), whatever the
number of entries.

Filters narrow every source: a source with no relation to a filter's dimension
(e.g. PPAs for ``resource_ids``) is left out while that filter is set.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.queries.calendar_events import event_entries
from db.queries.calendar_office import policy_entries, projected_task_entries
from db.queries.calendar_projects import (
    assessment_entries,
    milestone_entries,
    ppa_entries,
    stage_entries,
)
from db.queries.calendar_scope import CalendarScope
from db.queries.calendar_work import booking_entries, task_entries
from db.rules.calendar_entries import CalendarEntry, EntryKind
from db.rules.recurrence import ExpansionLimit

# 50,000 entries: four times the busiest month of the demo at --scale 10 (11,536 entries),
# about a second of expansion and JSON; a window holding more must be narrowed.
MAX_ENTRIES_PER_WINDOW = 50_000

SOURCES = (event_entries, task_entries, ppa_entries, milestone_entries, stage_entries, assessment_entries,
           booking_entries, policy_entries, projected_task_entries)

__all__ = ["CalendarScope", "collect_entries"]


async def collect_entries(session: AsyncSession, scope: CalendarScope) -> list[CalendarEntry]:
    """Every entry of the window the viewer may read, in ``sort_key`` order; ExpansionLimit
    past ``MAX_ENTRIES_PER_WINDOW``."""
    entries: list[CalendarEntry] = []
    for source in SOURCES:
        entries.extend(await source(session, scope))
        if len(entries) > MAX_ENTRIES_PER_WINDOW:
            raise ExpansionLimit(MAX_ENTRIES_PER_WINDOW)
    entries.sort(key=sort_key)
    return entries


KIND_RANK = {kind: rank for rank, kind in enumerate(EntryKind)}


def sort_key(entry: CalendarEntry) -> tuple[datetime, int, str]:
    """By start; at the same moment events first, then the other kinds in enum order; then by id."""
    return entry.start, KIND_RANK[entry.kind], entry.id
