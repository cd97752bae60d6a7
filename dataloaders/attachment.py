"""Loaders for attachments: by parent, and counts per calendar entry (one statement per batch)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select

from dataloaders.registry import Reader
from db.models import Attachment

# A GraphQL parent type and the column that points at it.
PARENT_COLUMNS: dict[str, Any] = {
    "Event": Attachment.event_id,
    "Task": Attachment.task_id,
    "Ppa": Attachment.ppa_id,
    "Assessment": Attachment.assessment_id,
    "ServiceRequest": Attachment.service_request_id,
}


@dataclass(frozen=True, slots=True)
class ParentKey:
    parent_type: str  # a key of PARENT_COLUMNS
    parent_id: int
    # For an event occurrence: its own attachments as well as the whole series' ones.
    occurrence: datetime | None = None


@dataclass(frozen=True, slots=True)
class AttachmentCounts:
    attachments: int = 0
    photos: int = 0


def _parent_filter(keys: Sequence[ParentKey]) -> Any:
    by_type: dict[str, set[int]] = defaultdict(set)
    for key in keys:
        by_type[key.parent_type].add(key.parent_id)
    return or_(*(PARENT_COLUMNS[t].in_(sorted(ids)) for t, ids in by_type.items()))


def _matches(row: Attachment | Any, key: ParentKey) -> bool:
    if getattr(row, PARENT_COLUMNS[key.parent_type].key) != key.parent_id:
        return False
    return row.occurrence is None or (key.occurrence is not None and row.occurrence == key.occurrence)


async def attachments_by_parent(reader: Reader, keys: Sequence[ParentKey]) -> list[list[Attachment]]:
    known = [k for k in keys if k.parent_type in PARENT_COLUMNS]
    if not known:
        return [[] for _ in keys]
    rows = list(await reader.session.scalars(
        select(Attachment).where(_parent_filter(known), reader.readable(Attachment))
        .order_by(Attachment.created_at, Attachment.id)
    ))
    return [[row for row in rows if _matches(row, key)] if key.parent_type in PARENT_COLUMNS else []
            for key in keys]


async def attachment_counts_by_parent(reader: Reader, keys: Sequence[ParentKey]) -> list[AttachmentCounts]:
    known = [k for k in keys if k.parent_type in PARENT_COLUMNS]
    if not known:
        return [AttachmentCounts() for _ in keys]
    rows = (await reader.session.execute(
        select(*PARENT_COLUMNS.values(), Attachment.occurrence, func.count().label("total"),
               func.count().filter(Attachment.is_photo).label("photos"))
        .where(_parent_filter(known), reader.readable(Attachment))
        .group_by(*PARENT_COLUMNS.values(), Attachment.occurrence)
    )).all()
    result: list[AttachmentCounts] = []
    for key in keys:
        total = photos = 0
        if key.parent_type in PARENT_COLUMNS:
            for row in rows:
                if _matches(row, key):
                    total, photos = total + row.total, photos + row.photos
        result.append(AttachmentCounts(total, photos))
    return result
