"""Events: who may read an event, its occurrences (overrides) and its participant list.

* PUBLIC: everyone, signed in or not;
* INTERNAL: every signed-in user;
* PRIVATE: its owner and participants, and those the owner shared their calendar with at
  READ or WRITE (``sharing.py``). Roles grant nothing here: a disciplinary hearing stays
  between the people invited to it, ADMIN included.

Everything derived from an event (tasks and bookings linked to it, its overrides,
calendar entries, feed lines) takes its readership from here.

Write rules (bottom of this module): the owner edits and deletes an event and records
attendance, MANAGER and ADMIN too unless it is PRIVATE; only the invited (or anyone who
reads an event marked ``open_to_all``) may respond to it.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import ColumnElement, exists, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from db.enums import Visibility
from db.models import Event, EventOverride, EventParticipant
from db.policies.audience import PUBLIC, SIGNED_IN, Audience, listed
from db.policies.base import EntityPolicy
from db.policies.sharing import (
    READ_LEVELS,
    grantees_of,
    may_write_calendar,
    may_write_team_calendar,
    owners_sharing_with,
)
from db.policies.teams import of_teams
from db.policies.viewer import Viewer


def event_readable(viewer: Viewer) -> ColumnElement[bool]:
    """SQL: ``viewer`` may read the ``events`` row in scope."""
    if viewer.user_id is None:
        return Event.visibility == Visibility.PUBLIC
    participates = exists().where(
        EventParticipant.event_id == Event.id, EventParticipant.user_id == viewer.user_id
    )
    shared = Event.owner_id.in_(owners_sharing_with(viewer, READ_LEVELS))
    return or_(Event.visibility != Visibility.PRIVATE, Event.owner_id == viewer.user_id, participates, shared)


def event_id_readable(viewer: Viewer, event_id: ColumnElement[int] | ColumnElement[int | None] | InstrumentedAttribute[int] | InstrumentedAttribute[int | None]) -> ColumnElement[bool]:
    """SQL: the event ``event_id`` points to exists and ``viewer`` may read it (team limits included)."""
    return exists().where(Event.id == event_id, EVENTS.readable(viewer))


def audience_from(visibility: Visibility, owner_id: int | None, participant_ids: frozenset[int],
                  shared_with: frozenset[int] = frozenset()) -> Audience:
    if visibility == Visibility.PUBLIC:
        return PUBLIC
    if visibility == Visibility.INTERNAL:
        return SIGNED_IN
    return listed([owner_id, *participant_ids, *shared_with])


async def event_audiences(session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
    if not ids:
        return {}
    rows = (await session.execute(
        select(Event.id, Event.visibility, Event.owner_id).where(Event.id.in_(list(ids)))
    )).all()
    private = [pk for pk, visibility, _ in rows if visibility == Visibility.PRIVATE]
    participants: dict[int, set[int]] = defaultdict(set)
    if private:
        for event_id, user_id in await session.execute(
            select(EventParticipant.event_id, EventParticipant.user_id).where(EventParticipant.event_id.in_(private))
        ):
            participants[event_id].add(user_id)
    shared = await grantees_of(session, [owner for _, vis, owner in rows if vis == Visibility.PRIVATE])
    return {pk: audience_from(vis, owner, frozenset(participants[pk]), shared.get(owner or 0, frozenset()))
            for pk, vis, owner in rows}


class EventPolicy(EntityPolicy[Event]):
    model = Event
    entity_type = "Event"

    def readable(self, viewer: Viewer) -> ColumnElement[bool]:
        return event_readable(viewer)

    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        return await event_audiences(session, ids)

    def in_teams(self, team_ids: frozenset[int]) -> ColumnElement[bool]:
        return of_teams(Event.team_id, team_ids)  # the team's calendar


EVENTS = EventPolicy()


class _OfEvent(EntityPolicy[object]):
    def in_teams(self, team_ids: frozenset[int]) -> ColumnElement[bool]:
        return true()  # ``readable`` goes through the event's policy, team limits included


class EventOverridePolicy(_OfEvent):
    """A moved or cancelled occurrence is read exactly when its series is."""

    model = EventOverride
    entity_type = "EventOverride"

    def readable(self, viewer: Viewer) -> ColumnElement[bool]:
        return event_id_readable(viewer, EventOverride.event_id)

    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        pairs = (await session.execute(
            select(EventOverride.id, EventOverride.event_id).where(EventOverride.id.in_(list(ids)))
        )).all()
        of_event = await event_audiences(session, [event_id for _, event_id in pairs])
        return {pk: of_event[event_id] for pk, event_id in pairs}


class EventParticipantPolicy(_OfEvent):
    """Who is invited is read exactly when the event is (no ``id`` column: no audiences by id)."""

    model = EventParticipant
    entity_type = "EventParticipant"

    def readable(self, viewer: Viewer) -> ColumnElement[bool]:
        return event_id_readable(viewer, EventParticipant.event_id)

    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        return await event_audiences(session, ids)  # keyed by event id


# -- write rules ------------------------------------------------------------------------------
# Callers load the event through ``event_readable`` first (a row the viewer may not read is
# NOT_FOUND, never PERMISSION_DENIED), then ask these. The table is in docs/permissions.md.

def may_edit_event(viewer: Viewer, owner_id: int | None, visibility: Visibility) -> bool:
    """Change or delete the event, or record who attended: its owner; MANAGER and ADMIN too
    unless it is PRIVATE (a private matter stays with its owner, whatever the role)."""
    if viewer.user_id is None:
        return False
    return owner_id == viewer.user_id or (viewer.is_manager and visibility != Visibility.PRIVATE)


def may_respond(viewer: Viewer, owner_id: int | None, *, invited: bool, open_to_all: bool) -> bool:
    """RSVP (which adds the viewer as a participant): the invited, the owner, or any reader of an
    event marked ``open_to_all``. Otherwise responding would let anyone widen who reads it."""
    if viewer.user_id is None:
        return False
    return invited or owner_id == viewer.user_id or open_to_all


async def may_change_event(session: AsyncSession, viewer: Viewer, owner_id: int | None,
                           visibility: Visibility, team_id: int | None = None) -> bool:
    """``may_edit_event``, or the viewer holds WRITE on the owner's calendar, or (not PRIVATE)
    on the calendar of the team it is filed under (``sharing.py``)."""
    if may_edit_event(viewer, owner_id, visibility) or await may_write_calendar(session, viewer, owner_id):
        return True
    return visibility != Visibility.PRIVATE and await may_write_team_calendar(session, viewer, team_id)
