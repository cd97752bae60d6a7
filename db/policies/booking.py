"""Bookings: who may read a booking's purpose, times and requester.

* a booking for a PRIVATE event (or for a task only some may read): the readers of
  that event or task, the requester, and MANAGER/ADMIN (they decide bookings);
* every other booking: every signed-in user;
* anonymous callers: none.

Everyone else learns only that the resource is busy (``resourceAvailability``), never
the booking's id, purpose or requester.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from db.models import Booking, TeamMembership
from db.policies.audience import DECIDERS, SIGNED_IN, Audience, Scope, listed
from db.policies.base import EntityPolicy
from db.policies.event import event_audiences, event_id_readable
from db.policies.task import task_audiences, task_id_readable
from db.policies.teams import event_in_teams, of_teams, task_id_in_teams
from db.policies.viewer import Viewer

DECIDER_ROLES = (Role.MANAGER, Role.ADMIN)  # approve and reject bookings, cancel anyone's
BOOKING_EDITORS = "its requester, MANAGER or ADMIN"


def booking_editable(viewer: Viewer) -> ColumnElement[bool]:
    """SQL on ``bookings``: the viewer may cancel the booking."""
    if viewer.user_id is None:
        return false()
    if viewer.role in DECIDER_ROLES:
        return true()
    return Booking.requested_by_id == viewer.user_id


def booking_readable(viewer: Viewer) -> ColumnElement[bool]:
    if viewer.user_id is None:
        return false()
    if viewer.is_manager:
        return true()
    return or_(
        and_(Booking.event_id.is_(None), Booking.task_id.is_(None)),
        Booking.requested_by_id == viewer.user_id,
        and_(Booking.event_id.is_not(None), event_id_readable(viewer, Booking.event_id)),
        and_(Booking.task_id.is_not(None), task_id_readable(viewer, Booking.task_id)),
    )


async def booking_audiences(session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
    if not ids:
        return {}
    rows = (await session.execute(
        select(Booking.id, Booking.event_id, Booking.task_id, Booking.requested_by_id).where(Booking.id.in_(list(ids)))
    )).all()
    of_event = await event_audiences(session, [e for _, e, _, _ in rows if e is not None])
    of_task = await task_audiences(session, [t for _, _, t, _ in rows if t is not None])
    result: dict[int, Audience] = {}
    for pk, event_id, task_id, requester in rows:
        linked = of_event[event_id] if event_id is not None else of_task[task_id] if task_id is not None else SIGNED_IN
        if linked.scope is Scope.LISTED:
            result[pk] = linked | listed([requester], DECIDERS)
        else:
            result[pk] = SIGNED_IN
    return result


class BookingPolicy(EntityPolicy[Booking]):
    model = Booking
    entity_type = "Booking"
    editors: ClassVar[str] = BOOKING_EDITORS

    def readable(self, viewer: Viewer) -> ColumnElement[bool]:
        return booking_readable(viewer)

    def editable(self, viewer: Viewer) -> ColumnElement[bool]:
        return booking_editable(viewer)

    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        return await booking_audiences(session, ids)

    def in_teams(self, team_ids: frozenset[int]) -> ColumnElement[bool]:
        requester_on_team = (
            select(TeamMembership.user_id)
            .where(TeamMembership.user_id == Booking.requested_by_id, of_teams(TeamMembership.team_id, team_ids))
            .correlate(Booking)
            .exists()
        )
        return or_(
            event_in_teams(Booking.event_id, team_ids), task_id_in_teams(Booking.task_id, team_ids),
            and_(Booking.event_id.is_(None), Booking.task_id.is_(None), requester_on_team),
        )


BOOKINGS = BookingPolicy()
