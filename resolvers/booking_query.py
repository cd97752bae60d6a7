"""Reading bookings: the window argument and the ``bookings`` connection."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import strawberry
from sqlalchemy import Select

from db.queries.booking import bookings_query
from db.rules.availability import Interval
from resolvers import validation as v
from resolvers.mutation import validation
from schema.booking.inputs import BookingFilter, BookingWindowInput
from schema.booking.types import BookingType
from schema.core.connection import Connection, paginate
from schema.core.ids import decode_ids, decode_optional_id
from server.context import Context


def window_between(start: datetime, end: datetime, field: str, *, max_days: int | None = None) -> Interval:
    """A validated window: aware instants, end after start, at most ``max_days`` long."""
    v.aware(start, f"{field}.start" if field else "start")
    v.aware(end, f"{field}.end" if field else "end")
    v.ordered(start, end, f"{field}.end" if field else "end")
    if max_days is not None and end - start > timedelta(days=max_days):
        raise validation(f"The window may span at most {max_days} days.", field or "end")
    return Interval(start, end)


def window_of(window: BookingWindowInput, field: str) -> Interval:
    return window_between(window.start, window.end, field)


def _strings(ids: list[strawberry.ID] | None) -> list[str] | None:
    return None if ids is None else [str(i) for i in ids]


async def list_bookings(
    ctx: Context, filter: BookingFilter | None, first: int | None, after: str | None,
    order: Callable[[Select[Any]], Select[Any]] | None = None,
) -> Connection[BookingType]:
    ctx.require_user()
    f = filter or BookingFilter()
    stmt = bookings_query(
        ctx.viewer,
        resource_ids=decode_ids(_strings(f.resource_ids), "Resource", field="filter.resourceIds"),
        statuses=f.status,
        window=window_of(f.window, "filter.window") if f.window is not None else None,
        requester_id=decode_optional_id(f.requester_id, "User", field="filter.requesterId"),
        event_id=decode_optional_id(f.event_id, "Event", field="filter.eventId"),
    )
    if order is not None:
        stmt = order(stmt)
    page = await paginate(ctx.session, stmt, first=first, after=after, to_node=BookingType.from_model)
    return page
