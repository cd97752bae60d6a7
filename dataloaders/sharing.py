"""Whose shared calendar each event is on, for the viewer (``CalendarEntry.sharedBy``): one statement per batch."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from dataloaders.registry import Reader, any_of
from db.models import Event
from db.policies.sharing import Grantor, calendar_grantor, grantor_columns


async def grantor_by_event_id(reader: Reader, keys: Sequence[int]) -> list[Grantor | None]:
    viewer = reader.viewer
    if viewer.user_id is None or not keys:
        return [None for _ in keys]
    by_owner, by_team = grantor_columns(viewer)
    rows = await reader.session.execute(
        select(Event.id, Event.owner_id, by_owner, Event.team_id, by_team)
        .where(any_of(Event.id, keys), reader.readable(Event))
    )
    found = {pk: calendar_grantor(viewer, owner_id, owned, team_id, teamed)
             for pk, owner_id, owned, team_id, teamed in rows.tuples()}
    return [found.get(key) for key in keys]
