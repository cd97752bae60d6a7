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
from dataclasses import dataclass
from functools import cache

from sqlalchemy import ColumnElement, String, bindparam, false, func, not_, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Assessment,
    Booking,
    Event,
    Ppa,
    PpaMilestone,
    PpaStageSchedule,
    Task,
)
from db.policies import policy_for
from db.policies.audience import Scope
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
from db.queries.change_log import head_position
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
READERS_MAX_ROWS = 5000  # rows of one kind the office may not read, past which personal_readers gives up


async def source_entries(session: AsyncSession, scope: CalendarScope, source: Source) -> list[CalendarEntry]:
    """The entries of one source in the scope's window that its viewer may read, in calendar order."""
    kind = SOURCE_KINDS.get(source[0])
    if kind is None:
        return []
    model, query = kind
    entries = await query(session, scope, [model.id == source[1]])  # type: ignore[attr-defined]
    entries.sort(key=sort_key)
    return entries


@cache
def office_unreadable(name: str) -> ColumnElement[bool]:
    """SQL: the office-wide view may not read the row of kind ``name``. Built once: it depends on
    nothing but the policy, and a reused clause keeps its memoized cache key (building and keying
    it again was a quarter of each subscriber's ``personal_entries`` in a reconnect storm)."""
    model = SOURCE_KINDS[name][0]
    return not_(func.coalesce(policy_for(model).readable(OFFICE), false()))


@dataclass(frozen=True, slots=True)
class PersonalReaders:
    """``user_ids``: every user who may read some row of ``PERSONAL_KINDS`` that the office may not
    (None: nobody can be ruled out), with every change up to change-log ``position`` accounted for."""

    position: int
    user_ids: frozenset[int] | None


# Changes of the personal kinds' rows (an override is its event's) whose audience is a list.
PERSONAL_CHANGE_TYPES = (*PERSONAL_KINDS, "EventOverride")
_NAMED_SINCE = text(
    "SELECT (SELECT coalesce(max(position), 0) FROM change_log) AS head,"
    " ARRAY(SELECT DISTINCT unnest(audience_user_ids) FROM change_log"
    "       WHERE position > :since AND entity_type = ANY(:types) AND audience_scope = 0) AS user_ids"
).bindparams(bindparam("types", type_=ARRAY(String)))


async def personal_readers(session: AsyncSession) -> PersonalReaders:
    """Every user who may read some row of ``PERSONAL_KINDS`` that the office may not: those named in
    such a row's audience (the policy's own ``audiences``, as changes are routed by). Anyone else has
    no ``personal_entries`` in any window beyond what their role reads. None when some such row's
    audience is wider than a list (then nobody can be ruled out). A scan of those rows: bring it up
    to date with ``personal_readers_since`` instead of scanning again."""
    # The head first: a change committed after this statement is numbered above it, so whatever the
    # scan below misses of it, ``personal_readers_since`` finds.
    position = await head_position(session)
    readers: set[int] = set()
    for name in PERSONAL_KINDS:
        model = SOURCE_KINDS[name][0]
        ids = list((await session.scalars(
            select(model.id).where(office_unreadable(name)).limit(READERS_MAX_ROWS + 1))).all())  # type: ignore[attr-defined]
        if len(ids) > READERS_MAX_ROWS:
            return PersonalReaders(position, None)  # their audiences would take more than the reads they save
        for audience in (await policy_for(model).audiences(session, ids)).values():
            if audience.scope is not Scope.LISTED:
                return PersonalReaders(position, None)
            readers |= audience.user_ids
    return PersonalReaders(position, frozenset(readers))


async def personal_readers_since(session: AsyncSession, known: PersonalReaders) -> PersonalReaders:
    """``known`` brought up to the change log's head in one statement over the changes since, whatever
    the tables hold. A user starts reading such a row only through a write of it, and every such write
    records a change whose audience names its readers (what live subscriptions are routed by); an
    audience wider than a list is office-wide, so the row is not beyond the office. Users who lost
    access stay in: a wider set only costs them their own read."""
    if known.user_ids is None:
        return known
    row = (await session.execute(_NAMED_SINCE, {"since": known.position, "types": list(PERSONAL_CHANGE_TYPES)})).one()
    return PersonalReaders(max(known.position, int(row.head)), known.user_ids | frozenset(row.user_ids))


async def personal_entries(session: AsyncSession, scope: CalendarScope) -> list[CalendarEntry]:
    """Entries of the window the scope's viewer reads and the office-wide view (``OFFICE``) does not."""
    entries: list[CalendarEntry] = []
    for name in PERSONAL_KINDS:
        entries.extend(await SOURCE_KINDS[name][1](session, scope, [office_unreadable(name)]))
    return entries
