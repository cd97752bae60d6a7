"""Calendar entries of tasks (due dates) and bookings: one query each."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, exists, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import BookingStatus, CalendarModule, TaskStatus
from db.models import Assessment, Booking, Event, Ppa, Resource, Task, TaskAssignee
from db.policies import policy_for
from db.queries.calendar_scope import CalendarScope
from db.rules.calendar_entries import KIND_MODULES, CalendarEntry, EntryKind, entry_id

ACTIVE_BOOKINGS = (BookingStatus.PENDING, BookingStatus.APPROVED)


def task_clauses(scope: CalendarScope) -> list[ColumnElement[bool]]:
    # A task linked to an event is shown by the event, never as its own entry.
    clauses = [policy_for(Task).readable(scope.viewer), Task.due_at >= scope.start, Task.due_at < scope.end,
               Task.event_id.is_(None), Task.status != TaskStatus.CANCELLED]
    if scope.assignee_ids is not None:
        ids = list(scope.assignee_ids)
        clauses.append(exists().where(TaskAssignee.task_id == Task.id, TaskAssignee.user_id.in_(ids)))
    if scope.community_ids is not None:
        ids = list(scope.community_ids)
        clauses.append(or_(
            Task.community_id.in_(ids),
            Task.ppa_id.in_(select(Ppa.id).where(Ppa.community_id.in_(ids))),
            Task.assessment_id.in_(select(Assessment.id).where(Assessment.community_id.in_(ids))),
        ))
    if scope.resource_ids is not None:
        ids = list(scope.resource_ids)
        clauses.append(exists().where(Booking.task_id == Task.id, Booking.resource_id.in_(ids)))
    return clauses


async def task_entries(session: AsyncSession, scope: CalendarScope,
                       extra: Sequence[ColumnElement[bool]] = ()) -> list[CalendarEntry]:
    if not scope.wants(CalendarModule.TASKS):
        return []
    rows = await session.execute(select(Task.id, Task.title, Task.due_at).where(*task_clauses(scope), *extra))
    kind, module = EntryKind.TASK_DUE, KIND_MODULES[EntryKind.TASK_DUE]
    return [  # due_at is never NULL here: the window filter requires it
        CalendarEntry(entry_id("TaskDue", pk), kind, module, title, due, None, False, None, None, "Task", pk)
        for pk, title, due in rows.tuples()
        if due is not None
    ]


def booking_clauses(scope: CalendarScope) -> list[ColumnElement[bool]]:
    # A booking made for an event or task the viewer may not read (someone's PRIVATE event) stays hidden:
    # the booking policy derives its readership from them.
    clauses = [
        policy_for(Booking).readable(scope.viewer), Booking.status.in_(ACTIVE_BOOKINGS),
        Booking.starts_at < scope.end, Booking.ends_at > scope.start,
    ]
    if scope.resource_ids is not None:
        clauses.append(Booking.resource_id.in_(list(scope.resource_ids)))
    if scope.assignee_ids is not None:
        clauses.append(Booking.requested_by_id.in_(list(scope.assignee_ids)))
    if scope.community_ids is not None:
        ids = list(scope.community_ids)
        clauses.append(exists().where(Event.id == Booking.event_id, Event.community_id.in_(ids)) if ids else false())
    return clauses


async def booking_entries(session: AsyncSession, scope: CalendarScope,
                          extra: Sequence[ColumnElement[bool]] = ()) -> list[CalendarEntry]:
    if not scope.wants(CalendarModule.RESOURCES):
        return []
    rows = await session.execute(
        select(Booking.id, Booking.starts_at, Booking.ends_at, Booking.purpose, Booking.status, Resource.name)
        .join(Resource, Resource.id == Booking.resource_id)
        .where(*booking_clauses(scope), *extra)
    )
    kind, module = EntryKind.BOOKING, KIND_MODULES[EntryKind.BOOKING]
    return [
        CalendarEntry(entry_id("Booking", pk), kind, module, booking_title(resource, purpose, status), start, end,
                      False, None, None, "Booking", pk)
        for pk, start, end, purpose, status, resource in rows
    ]


def booking_title(resource: str, purpose: str, status: BookingStatus) -> str:
    title = f"{resource}: {purpose}" if purpose else resource
    return f"{title} (pending)" if status == BookingStatus.PENDING else title
