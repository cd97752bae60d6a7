"""Rows for calendar tests, inserted straight through the test session."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import BookingStatus, PpaCategory, ResourceKind, TransitionKind
from db.models import (
    Assessment,
    Booking,
    Community,
    Event,
    EventParticipant,
    Ppa,
    PpaMilestone,
    PpaStageSchedule,
    Resource,
    Task,
    TaskAssignee,
)


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


async def add(session: AsyncSession, row: Any) -> Any:
    session.add(row)
    await session.flush()
    return row


async def event(session: AsyncSession, start: datetime, minutes: int = 60, *, participants: tuple[int, ...] = (),
                **values: Any) -> Event:
    values.setdefault("title", "Meeting")
    values.setdefault("uid", f"{uuid.uuid4()}@test")
    values.setdefault("series_ends_at", None if values.get("rrule") else start + timedelta(minutes=minutes))
    row = await add(session, Event(starts_at=start, ends_at=start + timedelta(minutes=minutes), **values))
    for user_id in participants:
        await add(session, EventParticipant(event_id=row.id, user_id=user_id))
    return row


async def task(session: AsyncSession, due: datetime, *, assignees: tuple[int, ...] = (), **values: Any) -> Task:
    row = await add(session, Task(title=values.pop("title", "Task"), due_at=due, **values))
    for user_id in assignees:
        await add(session, TaskAssignee(task_id=row.id, user_id=user_id))
    return row


async def community(session: AsyncSession) -> Community:
    return await add(session, Community(name=unique("Barangay")))


async def resource(session: AsyncSession) -> Resource:
    return await add(session, Resource(name=unique("Van"), kind=ResourceKind.VEHICLE))


async def booking(session: AsyncSession, resource_id: int, start: datetime, minutes: int = 60, **values: Any) -> Booking:
    end = start + timedelta(minutes=minutes)
    values.setdefault("status", BookingStatus.APPROVED)
    return await add(session, Booking(resource_id=resource_id, starts_at=start, ends_at=end, blocked_from=start,
                                       blocked_until=end, **values))


async def ppa(session: AsyncSession, starts_on: date, ends_on: date, **values: Any) -> Ppa:
    return await add(session, Ppa(title=values.pop("title", "Water system"), category=PpaCategory.PROJECT,
                                  starts_on=starts_on, ends_on=ends_on, **values))


async def milestone(session: AsyncSession, ppa_id: int, due_on: date) -> PpaMilestone:
    return await add(session, PpaMilestone(ppa_id=ppa_id, title="Design approved", due_on=due_on))


async def stage(session: AsyncSession, ppa_id: int, starts_on: date, ends_on: date) -> PpaStageSchedule:
    return await add(session, PpaStageSchedule(ppa_id=ppa_id, kind=TransitionKind.BUDGET, stage="BUDGET_HEARING",
                                               starts_on=starts_on, ends_on=ends_on))


async def assessment(session: AsyncSession, first: date, **values: Any) -> Assessment:
    return await add(session, Assessment(
        title=values.pop("title", "Needs assessment"), planning_on=first, data_collection_on=first + timedelta(days=7),
        analysis_on=first + timedelta(days=14), report_on=first + timedelta(days=21), **values,
    ))
