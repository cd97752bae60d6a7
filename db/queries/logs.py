"""Writing the change log and the audit log, inside the caller's transaction.

Every change row carries its audience (who may receive it), computed from the
entity's access policy (``db.policies``) in the same transaction as the write, and,
when the object's readership may have shrunk, its former audience: readers who lost
access are sent a removal, never the new content.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ChangeOp
from db.models import AuditLog, Booking, ChangeLog, Task
from db.policies import BY_ENTITY_TYPE, Audience
from db.policies.audience import NOBODY
from db.policies.booking import booking_audiences
from db.policies.task import task_audiences


async def audience_now(session: AsyncSession, entity_type: str, entity_id: int) -> Audience:
    """Who may read the object right now (flushes pending writes first)."""
    await session.flush()
    return await BY_ENTITY_TYPE[entity_type].audience(session, entity_id)


async def record_change(
    session: AsyncSession,
    entity_type: str,
    entity_id: int,
    op: ChangeOp,
    payload: dict[str, Any] | None = None,
    *,
    actor_id: int | None = None,
    former: Audience | None = None,
) -> None:
    """Add a change row whose audience comes from ``entity_type``'s policy.

    Pass ``former`` (from ``audience_now`` before the write) when the write may narrow
    who can read the object, and always for DELETED: a deleted row has no audience.
    """
    audience = NOBODY if op is ChangeOp.DELETED else await audience_now(session, entity_type, entity_id)
    columns = audience.columns("audience")
    if former is not None:
        columns |= former.columns("former")
    session.add(
        ChangeLog(entity_type=entity_type, entity_id=entity_id, op=op, payload=payload or {}, actor_id=actor_id,
                  **columns)
    )


async def record_audience_changes(
    session: AsyncSession, entity_type: str, before: dict[int, Audience], payload: dict[str, Any],
    *, actor_id: int | None,
) -> set[int]:
    """An UPDATED change for each object whose readership moved away from ``before`` (all computed
    in one batch): new readers receive it, readers who lost access receive a removal. Answers the
    ids of those objects."""
    await session.flush()
    now = await BY_ENTITY_TYPE[entity_type].audiences(session, list(before))
    changed: set[int] = set()
    for pk, was in before.items():
        audience = now.get(pk, NOBODY)
        if audience != was:
            session.add(ChangeLog(entity_type=entity_type, entity_id=pk, op=ChangeOp.UPDATED, payload=payload,
                                  actor_id=actor_id, **audience.columns("audience"), **was.columns("former")))
            changed.add(pk)
    return changed


def record_update_for(session: AsyncSession, entity_type: str, entity_id: int, payload: dict[str, Any],
                      audience: Audience, *, actor_id: int | None) -> None:
    """An UPDATED change told only to ``audience``: some of the object's readers (its policy's
    audience narrowed), for whom something they are shown of it changed while the object did not."""
    session.add(ChangeLog(entity_type=entity_type, entity_id=entity_id, op=ChangeOp.UPDATED, payload=payload,
                          actor_id=actor_id, **audience.columns("audience")))


@dataclass(slots=True)
class EventReadership:
    """Who could read an event and the tasks and bookings linked to it, before a write."""

    event_id: int
    event: Audience
    tasks: dict[int, Audience] = field(default_factory=dict)
    bookings: dict[int, Audience] = field(default_factory=dict)


async def event_readership(session: AsyncSession, event_id: int) -> EventReadership:
    await session.flush()
    task_ids = list(await session.scalars(select(Task.id).where(Task.event_id == event_id)))
    booking_ids = list(await session.scalars(select(Booking.id).where(Booking.event_id == event_id)))
    return EventReadership(
        event_id=event_id,
        event=await BY_ENTITY_TYPE["Event"].audience(session, event_id),
        tasks=await task_audiences(session, task_ids),
        bookings=await booking_audiences(session, booking_ids),
    )


async def record_event_change(
    session: AsyncSession,
    event_id: int,
    op: ChangeOp,
    payload: dict[str, Any] | None = None,
    *,
    actor_id: int | None = None,
    before: EventReadership | None = None,
) -> None:
    """An event's change, plus an UPDATED change for each linked task and booking whose
    readership the write changed (they derive it from the event)."""
    await record_change(session, "Event", event_id, op, payload, actor_id=actor_id,
                        former=before.event if before is not None else None)
    if before is None:
        return
    linked = {"event_id": event_id}
    await record_audience_changes(session, "Task", before.tasks, linked, actor_id=actor_id)
    await record_audience_changes(session, "Booking", before.bookings, linked, actor_id=actor_id)

def record_audit(
    session: AsyncSession,
    *,
    actor_id: int | None,
    action: str,
    entity_type: str,
    entity_id: int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditLog(
            actor_id=actor_id, action=action, entity_type=entity_type, entity_id=entity_id,
            before=before, after=after,
        )
    )
