"""One calendar source's entries, and the entries only some viewers read (for calendarChanged).

``source_entries`` reads one object (an event with its overrides, a task, a booking, a
PPA's dates ...) by primary key through the calendar's own per-kind query, so access
policy, module rules and recurrence expansion are the calendar's: at most two statements,
however many entries the window holds. ``personal_entries`` is what a viewer reads beyond
the office-wide view (PRIVATE events they may read, the tasks and bookings derived from
them): the part of a subscriber's window that cannot be shared with other subscribers.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy import ColumnElement, false, func, not_
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Assessment, Booking, Event, Ppa, PpaMilestone, PpaStageSchedule, Task
from db.policies import policy_for
from db.policies.feed import OFFICE
from db.queries.calendar import sort_key
from db.queries.calendar_events import event_entries
from db.queries.calendar_projects import (
    assessment_entries,
    milestone_entries,
    ppa_entries,
    stage_entries,
)
from db.queries.calendar_scope import CalendarScope
from db.queries.calendar_work import booking_entries, task_entries
from db.rules.calendar_entries import CalendarEntry

Source = tuple[str, int]  # (GraphQL type name of the source, primary key)
EntryQuery = Callable[[AsyncSession, CalendarScope, Sequence[ColumnElement[bool]]], Awaitable[list[CalendarEntry]]]

# source type -> (its table's model, the calendar query of its entries)
SOURCE_KINDS: dict[str, tuple[type[object], EntryQuery]] = {
    "Event": (Event, event_entries),
    "Task": (Task, task_entries),
    "Ppa": (Ppa, ppa_entries),
    "PpaMilestone": (PpaMilestone, milestone_entries),
    "PpaStage": (PpaStageSchedule, stage_entries),
    "Assessment": (Assessment, assessment_entries),
    "Booking": (Booking, booking_entries),
}
# Sources whose readers can be narrower than the whole office (the others are office-wide).
PERSONAL_KINDS = ("Event", "Task", "Booking")


async def source_entries(session: AsyncSession, scope: CalendarScope, source: Source) -> list[CalendarEntry]:
    """The entries of one source in the scope's window that its viewer may read, in calendar order."""
    kind = SOURCE_KINDS.get(source[0])
    if kind is None:
        return []
    model, query = kind
    entries = await query(session, scope, [model.id == source[1]])  # type: ignore[attr-defined]
    entries.sort(key=sort_key)
    return entries


async def personal_entries(session: AsyncSession, scope: CalendarScope) -> list[CalendarEntry]:
    """Entries of the window the scope's viewer reads and the office-wide view (``OFFICE``) does not."""
    entries: list[CalendarEntry] = []
    for name in PERSONAL_KINDS:
        model, query = SOURCE_KINDS[name]
        office_reads = func.coalesce(policy_for(model).readable(OFFICE), false())
        entries.extend(await query(session, scope, [not_(office_reads)]))
    return entries
