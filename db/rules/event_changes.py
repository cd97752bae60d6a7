"""What a change-log row says about an event: its span on the calendar and who reads a PRIVATE one."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from db.enums import Visibility
from db.models import Event


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def span(event: Event) -> tuple[datetime, datetime | None]:
    """What a series occupies on the calendar: first start to last end (None: endless)."""
    first = event.series_starts_at
    return (first if first is not None and first < event.starts_at else event.starts_at), event.series_ends_at


def placement(event: Event) -> dict[str, Any]:
    """Where the event is on the calendar: what a calendar subscription's filter places a change by."""
    start, end = span(event)
    return {"module": event.module.value, "start": iso(start), "end": iso(end),
            "series_ends_at": iso(event.series_ends_at)}


def change_payload(event: Event, participant_ids: Iterable[int], *,
                   old: tuple[datetime, datetime | None] | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        **placement(event),
        "visibility": event.visibility.value,
        "owner_id": event.owner_id,
        "team_ids": [event.team_id] if event.team_id is not None else [],
        "community_id": event.community_id,
    }
    if event.visibility == Visibility.PRIVATE:
        readers = set(participant_ids)
        if event.owner_id is not None:
            readers.add(event.owner_id)
        payload["reader_ids"] = sorted(readers)
    if old is not None:
        payload["old_start"], payload["old_end"] = iso(old[0]), iso(old[1])
    return payload
