"""Loaders for events: participants and overrides, in key order."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from dataloaders.registry import Reader, group_by
from db.models import EventOverride, EventParticipant


async def participants_by_event_id(reader: Reader, keys: Sequence[int]) -> list[list[EventParticipant]]:
    rows = await reader.session.scalars(
        select(EventParticipant)
        .where(EventParticipant.event_id.in_(keys), reader.readable(EventParticipant))
        .order_by(EventParticipant.event_id, EventParticipant.user_id)
    )
    return group_by(list(rows), "event_id", keys)


async def participant_user_ids_by_event_id(reader: Reader, keys: Sequence[int]) -> list[frozenset[int]]:
    rows = await reader.session.execute(
        select(EventParticipant.event_id, EventParticipant.user_id).where(
            EventParticipant.event_id.in_(keys), reader.readable(EventParticipant)
        )
    )
    grouped: dict[int, set[int]] = {k: set() for k in keys}
    for event_id, user_id in rows:
        grouped[event_id].add(user_id)
    return [frozenset(grouped[k]) for k in keys]


async def overrides_by_event_id(reader: Reader, keys: Sequence[int]) -> list[list[EventOverride]]:
    rows = await reader.session.scalars(
        select(EventOverride)
        .where(EventOverride.event_id.in_(keys), reader.readable(EventOverride))
        .order_by(EventOverride.event_id, EventOverride.recurrence_id)
    )
    return group_by(list(rows), "event_id", keys)
