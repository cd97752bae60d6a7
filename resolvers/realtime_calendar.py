"""calendarChanged: per change, the changed source's entries in the subscribed window.

Over graphql-transport-ws a subscriber joins the group of its document and variables
(``server/fanout.py``) and its window's shared state (``server/calendar_hub.py``): the
changed source is read once per change and computing viewer over the hull of all
subscribed windows, each window shows the entries that fall in it, and the ids it knew
for the source that are gone are ``removedEntryIds``. ``entries`` is always the source's
whole current set in the window, so a client may also simply replace the source's entries.

Over the legacy protocol each subscriber keeps its own known ids (the window's entries
when it subscribed, then each change's) and reads the changed source by id, once per
process per window and viewer.
"""
from __future__ import annotations

from collections import ChainMap
from collections.abc import AsyncIterator, Hashable
from dataclasses import replace
from datetime import datetime
from typing import Any

from db.enums import CalendarModule
from db.policies.audience import Scope
from db.policies.feed import OFFICE
from db.policies.viewer import Viewer
from db.queries.calendar import collect_entries
from db.queries.calendar_scope import CalendarScope
from db.queries.calendar_source import Source, source_entries
from db.rules.calendar_entries import CalendarEntry
from db.rules.change_filters import CALENDAR_SOURCES, calendar_change_matches
from db.rules.recurrence import ExpansionLimit
from resolvers.calendar import window
from resolvers.mutation import validation
from resolvers.realtime import change_stream, emit, realtime_of, serve_in_group
from schema.core.ids import to_global_id
from schema.realtime.types import CalendarChangeType
from server.calendar_hub import (
    CalendarHub,
    WindowKey,
    WindowState,
    calendar_class,
    ids_by_source,
    source_of,
)
from server.changes import Change
from server.context import Context
from server.fanout import REMOVED, StreamSpec
from server.transport_ws import current_operation


def change_value(change: Change, source: Source, entries: list[CalendarEntry],
                 removed: list[str]) -> CalendarChangeType:
    return CalendarChangeType(
        cursor=change.cursor, op=change.op, source_type=source[0],
        source_id=to_global_id(source[0], source[1]), entries=entries,  # type: ignore[arg-type]
        removed_entry_ids=removed,  # type: ignore[arg-type]
    )


def calendar_spec(hub: CalendarHub, state: WindowState) -> StreamSpec[CalendarChangeType]:
    """calendarChanged as a subscription group: entries per (change, class) from the window's state."""
    window_key = state.key

    def accepts(change: Change) -> bool:
        return calendar_change_matches(change.entity_type, change.payload, window_start=window_key.start,
                                       window_end=window_key.end, modules=window_key.modules)

    async def classed_value(change: Change, klass: Hashable, viewer: Viewer) -> CalendarChangeType | None:
        update = await hub.update(state, change, klass, viewer)
        return None if update is None else change_value(change, source_of(change), update.entries, update.removed)

    async def value(change: Change, removed: bool) -> CalendarChangeType | None:
        """The office-wide view (what a class of no role in particular is shown)."""
        return await classed_value(change, REMOVED if removed else ("role", None), OFFICE)

    def share(change: Change, klass: Hashable, value: CalendarChangeType) -> Hashable:
        """Windows showing the same entries of a change (read once per change and computing viewer,
        so equal ids mean equal entries) and the same removals share one execution per class."""
        shown: list[CalendarEntry] = value.entries  # type: ignore[assignment]
        removed: list[str] = value.removed_entry_ids  # type: ignore[assignment]
        return change.position, klass, tuple(e.id for e in shown), tuple(removed)

    return StreamSpec(CALENDAR_SOURCES, accepts, value, classify=calendar_class, classed_value=classed_value,
                      share=share)


async def calendar_changes(
    ctx: Context, start: datetime, end: datetime, modules: list[CalendarModule] | None, after: str | None
) -> AsyncIterator[CalendarChangeType]:
    ctx.require_user()
    window(start, end, ctx.settings.max_window_days)
    wanted = frozenset(CalendarModule(m) for m in modules) if modules else None
    op = current_operation.get()
    if op is None:  # the legacy protocol: one stream per subscriber
        async for item in own_calendar_changes(ctx, start, end, wanted, after):
            yield item
        return
    hub = realtime_of(ctx).calendar
    try:
        state = await hub.join(WindowKey(start, end, wanted), ctx.viewer, realtime_of(ctx).broker.last_position or 0)
    except ExpansionLimit as error:
        raise validation(str(error), "end") from None
    try:
        await serve_in_group(ctx, op, calendar_spec(hub, state), "calendarChanged", after)
    except BaseException:
        hub.leave(state)
        raise
    # Handed over (no await since): the window is left when the group releases the subscription,
    # and Strawberry's task for the operation ends here, as for the other subscriptions.
    op.also_on_release(lambda: hub.leave(state))


async def own_calendar_changes(
    ctx: Context, start: datetime, end: datetime, wanted: frozenset[CalendarModule] | None, after: str | None
) -> AsyncIterator[CalendarChangeType]:
    """One subscriber's stream, its entries known to it alone (the legacy ``graphql-ws`` protocol)."""
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
        async for item in emit(ctx, change_value(change, source, entries, removed)):
            yield item
