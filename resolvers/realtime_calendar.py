"""calendarChanged: per change, the changed source's entries in the subscribed window.

For each accepted change the subscription recomputes the entries of that one
source in the window with the calendar's own per-source queries (a recurring
event is expanded in the window), once per process for all subscribers with the
same window, and compares them with the entry ids it last knew for the source
(the window's entries when the subscription started, then each change's): ids
that are gone are ``removedEntryIds``. ``entries`` is always the source's whole
current set in the window, so a client may also simply replace the source's entries.
"""
from __future__ import annotations

from collections import ChainMap
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import CalendarModule
from db.policies.audience import Scope
from db.policies.feed import OFFICE
from db.queries.calendar import collect_entries
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
from db.rules.change_filters import calendar_change_matches
from db.rules.recurrence import ExpansionLimit
from resolvers.calendar import window
from resolvers.mutation import validation
from resolvers.realtime import change_stream, emit, realtime_of
from schema.core.ids import to_global_id
from schema.realtime.types import CalendarChangeType
from server.changes import Change
from server.context import Context

Source = tuple[str, int]
EntrySource = Callable[[AsyncSession, CalendarScope], Awaitable[list[CalendarEntry]]]

SOURCE_QUERIES: dict[str, tuple[EntrySource, ...]] = {
    "Event": (event_entries,),
    "Task": (task_entries,),
    "Ppa": (ppa_entries,),
    "PpaMilestone": (milestone_entries,),
    "PpaStage": (stage_entries,),
    "Assessment": (assessment_entries,),
    "Booking": (booking_entries,),
}


def source_of(change: Change) -> Source:
    """The calendar source a change is about (an override belongs to its event)."""
    if change.entity_type == "EventOverride" and change.payload.get("event_id") is not None:
        return "Event", int(change.payload["event_id"])
    if change.entity_type == "PpaStageSchedule":
        return "PpaStage", change.entity_id
    return change.entity_type, change.entity_id


async def source_entries(session: AsyncSession, scope: CalendarScope, source: Source) -> list[CalendarEntry]:
    entries: list[CalendarEntry] = []
    for query in SOURCE_QUERIES.get(source[0], ()):
        entries.extend(e for e in await query(session, scope) if (e.source_type, e.source_id) == source)
    entries.sort(key=lambda e: (e.start, e.id))
    return entries


def ids_by_source(entries: list[CalendarEntry]) -> dict[Source, frozenset[str]]:
    grouped: dict[Source, set[str]] = {}
    for entry in entries:
        grouped.setdefault((entry.source_type, entry.source_id), set()).add(entry.id)
    return {source: frozenset(ids) for source, ids in grouped.items()}


async def calendar_changes(
    ctx: Context, start: datetime, end: datetime, modules: list[CalendarModule] | None, after: str | None
) -> AsyncIterator[CalendarChangeType]:
    ctx.require_user()
    window(start, end, ctx.settings.max_window_days)
    wanted = frozenset(CalendarModule(m) for m in modules) if modules else None
    scope = CalendarScope(start=start, end=end, viewer=ctx.viewer, modules=wanted)
    realtime = realtime_of(ctx)

    viewer = ctx.viewer

    def accepts(change: Change) -> bool:
        return change.reaches(viewer) and calendar_change_matches(
            change.entity_type, change.payload, window_start=start, window_end=end, modules=wanted
        )

    async def window_ids() -> dict[Source, frozenset[str]]:
        async with ctx.sessionmaker() as session:
            try:
                return ids_by_source(await collect_entries(session, scope))
            except ExpansionLimit as error:
                raise validation(str(error), "end") from None

    baseline_key = ("calendar-window", scope, realtime.broker.last_position)
    known: ChainMap[Source, frozenset[str]] = ChainMap({}, await realtime.shared.get(baseline_key, window_ids))

    async for change in change_stream(ctx, accepts, after):
        source = source_of(change)

        # An office-wide change's entries are shared by every subscriber of the window, so they are
        # computed as OFFICE (what every signed-in user reads), never as whichever subscriber came
        # first: the object may have been narrowed since (made PRIVATE). A listed audience: per viewer.
        office_wide = change.audience.scope is not Scope.LISTED
        source_scope = replace(scope, viewer=OFFICE) if office_wide else scope

        async def load(source: Source = source, source_scope: CalendarScope = source_scope) -> list[CalendarEntry]:
            async with ctx.sessionmaker() as session:
                return await source_entries(session, source_scope, source)

        key: Any = ("calendar-source", source, change.position, start, end, wanted, source_scope.viewer)
        entries = await realtime.shared.get(key, load)
        now = frozenset(e.id for e in entries)
        removed = sorted(known.get(source, frozenset()) - now)
        known[source] = now
        if not entries and not removed:
            continue
        value = CalendarChangeType(
            cursor=change.cursor, op=change.op, source_type=source[0],
            source_id=to_global_id(source[0], source[1]), entries=entries,  # type: ignore[arg-type]
            removed_entry_ids=removed,  # type: ignore[arg-type]
        )
        async for item in emit(ctx, value):
            yield item
