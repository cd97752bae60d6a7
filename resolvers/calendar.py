"""``calendar(start, end, ...)``: validate the window and filters, collect the entries."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from db.enums import CalendarModule
from db.policies.viewer import Viewer
from db.queries.calendar import collect_entries
from db.queries.calendar_scope import CalendarScope
from db.rules.calendar_entries import CalendarEntry
from db.rules.recurrence import ExpansionLimit
from resolvers import validation as v
from resolvers.mutation import validation
from schema.core.ids import decode_ids
from server.context import Context

MAX_FILTER_IDS = 500


def window(start: datetime, end: datetime, max_days: int) -> tuple[datetime, datetime]:
    """An aware window with ``end > start`` of at most ``max_days`` days (VALIDATION otherwise)."""
    v.aware(start, "start")
    v.aware(end, "end")
    if end <= start:
        raise validation("The window must end after it starts.", "end")
    if (end - start).total_seconds() > max_days * 86400:
        raise validation(f"The window may span at most {max_days} days.", "end")
    return start, end


def ids(values: Sequence[str] | None, type_name: str, field: str) -> tuple[int, ...] | None:
    if values is not None and len(values) > MAX_FILTER_IDS:
        raise validation(f"At most {MAX_FILTER_IDS} ids.", field)
    decoded = decode_ids(list(values) if values is not None else None, type_name, field=field)
    return tuple(sorted(set(decoded))) if decoded is not None else None


def calendar_scope(
    *, start: datetime, end: datetime, viewer: Viewer, max_days: int,
    modules: Sequence[CalendarModule] | None = None, resource_ids: Sequence[str] | None = None,
    assignee_ids: Sequence[str] | None = None, community_ids: Sequence[str] | None = None,
) -> CalendarScope:
    start, end = window(start, end, max_days)
    return CalendarScope(
        start=start, end=end, viewer=viewer,
        modules=frozenset(CalendarModule(m) for m in modules) if modules is not None else None,
        resource_ids=ids(resource_ids, "Resource", "resourceIds"),
        assignee_ids=ids(assignee_ids, "User", "assigneeIds"),
        community_ids=ids(community_ids, "Community", "communityIds"),
    )


async def calendar_entries(ctx: Context, scope: CalendarScope) -> list[CalendarEntry]:
    try:
        return await collect_entries(ctx.session, scope)
    except ExpansionLimit as error:
        raise validation(str(error), "end") from None
