"""Calendar entries as plain, lightweight values (no I/O).

A window can hold tens of thousands of entries, so an entry is a slots
dataclass with plain attributes (GraphQL resolves them by attribute access) and
carries only a reference to its source (type name and primary key), which the
API loads lazily when a client selects ``source``.

Entry ids are stable per occurrence: they derive from the source's key (and,
for a recurring event, the occurrence's original start), never from the window.
"""
from __future__ import annotations

import base64
import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from db.enums import CalendarModule


class EntryKind(enum.StrEnum):
    EVENT = "EVENT"
    TASK_DUE = "TASK_DUE"
    PPA_START = "PPA_START"
    PPA_END = "PPA_END"
    PPA_MILESTONE = "PPA_MILESTONE"
    PPA_STAGE = "PPA_STAGE"
    ASSESSMENT_MILESTONE = "ASSESSMENT_MILESTONE"
    BOOKING = "BOOKING"
    POLICY_DATE = "POLICY_DATE"  # a policy's effective or review date
    TASK_PROJECTED = "TASK_PROJECTED"  # a future instance of a recurring task, not created yet


# Which module each non-event source belongs to (events carry their own module).
KIND_MODULES: dict[EntryKind, CalendarModule] = {
    EntryKind.TASK_DUE: CalendarModule.TASKS,
    EntryKind.PPA_START: CalendarModule.PROJECTS,
    EntryKind.PPA_END: CalendarModule.PROJECTS,
    EntryKind.PPA_MILESTONE: CalendarModule.PROJECTS,
    EntryKind.PPA_STAGE: CalendarModule.PROJECTS,
    EntryKind.ASSESSMENT_MILESTONE: CalendarModule.MANA,
    EntryKind.BOOKING: CalendarModule.RESOURCES,
    EntryKind.POLICY_DATE: CalendarModule.POLICY,
    EntryKind.TASK_PROJECTED: CalendarModule.TASKS,
}


@dataclass(slots=True)
class CalendarEntry:
    id: str
    kind: EntryKind
    module: CalendarModule
    title: str
    start: datetime
    end: datetime | None
    all_day: bool
    timezone: str | None
    recurrence_id: datetime | None
    source_type: str  # GraphQL type name of the source: "Event", "Task", "Ppa", ...
    source_id: int


def entry_id(prefix: str, pk: int, recurrence_id: datetime | None = None) -> str:
    """``base64("Event:12:2026-03-02T09:00:00Z")``, ``base64("TaskDue:5")``, ..."""
    raw = f"{prefix}:{pk}"
    if recurrence_id is not None:
        raw += ":" + recurrence_id.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return base64.b64encode(raw.encode()).decode()


def day_start(day: date) -> datetime:
    """All-day dates of tasks, PPAs and assessments are whole UTC days."""
    return datetime.combine(day, time(), UTC)


def day_bounds(window_start: datetime, window_end: datetime) -> tuple[date, date]:
    """Dates ``d`` whose UTC day ``[d, d+1)`` overlaps the window: ``lo <= d < hi``."""
    lo = window_start.astimezone(UTC).date()
    end = window_end.astimezone(UTC)
    hi = end.date() if end.time() == time() else end.date() + timedelta(days=1)
    return lo, hi


def date_entry(
    kind: EntryKind, prefix: str, pk: int, title: str, first: date, last: date | None,
    source_type: str, source_id: int,
) -> CalendarEntry:
    """An all-day entry from ``first`` to ``last`` (inclusive; one day when None)."""
    return CalendarEntry(
        entry_id(prefix, pk), kind, KIND_MODULES[kind], title, day_start(first),
        day_start((last or first) + timedelta(days=1)), True, None, None, source_type, source_id,
    )
