from __future__ import annotations

import strawberry

from db.models import Event
from db.queries.event import EventFilterValues, events_query
from resolvers import validation as v
from schema.core.connection import Connection, paginate
from schema.core.ids import decode_ids
from schema.core.ordering import OrderInput, apply_order, sortable
from schema.event.inputs import EventFilter
from schema.event.types import EventType

MAX_SEARCH = 200
EVENT_ORDER = sortable("Event", {"STARTS_AT": Event.starts_at, "ENDS_AT": Event.ends_at, "TITLE": Event.title,
                                 "CREATED_AT": Event.created_at}, Event.id)


@EVENT_ORDER.input
class EventOrder(OrderInput):
    pass


def ids(values: list[strawberry.ID] | None) -> list[str] | None:
    return None if values is None else [str(v) for v in values]


def filter_values(f: EventFilter) -> EventFilterValues:
    start = v.aware(f.start, "filter.start") if f.start is not None else None
    end = v.aware(f.end, "filter.end") if f.end is not None else None
    v.ordered(start, end, "filter.end")
    return EventFilterValues(
        start=start, end=end, modules=f.modules,
        team_ids=decode_ids(ids(f.team_ids), "Team", field="filter.teamIds"),
        community_ids=decode_ids(ids(f.community_ids), "Community", field="filter.communityIds"),
        participant_ids=decode_ids(ids(f.participant_ids), "User", field="filter.participantIds"),
        search=v.optional_text(f.search, "filter.search", max_length=MAX_SEARCH),
    )


@strawberry.type
class EventQuery:
    @strawberry.field(description="Event series (not occurrences: see calendar) the viewer may read, "
                      "by start unless orderBy says otherwise.")
    async def events(
        self, info: strawberry.Info, filter: EventFilter | None = None, order_by: EventOrder | None = None,
        first: int | None = None, after: str | None = None,
    ) -> Connection[EventType]:
        values = filter_values(filter or EventFilter())
        stmt = apply_order(events_query(info.context.viewer, values), EVENT_ORDER, order_by)
        return await paginate(info.context.session, stmt, first=first, after=after, to_node=EventType.from_model)
