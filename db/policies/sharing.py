"""Calendar sharing: who a grant reaches, and what it lets them do with the owner's calendar.

* FREE_BUSY: ``freeBusy`` shows when the owner is busy (PRIVATE events included), no details;
* READ: every event the owner owns reads in full, PRIVATE ones included (``event.py`` ORs
  ``owners_sharing_with`` into the event predicate and adds the grantees to its audience);
* WRITE: READ, plus creating events on the owner's calendar and changing or deleting the
  owner's events (``may_write_calendar``).

A grant to a team reaches its members at the time of the read. A grant is read by its owner, by
those it reaches and by ADMIN; only the owner (or ADMIN) makes or removes one, and a grantee may
give their own grant back (``grant_editable``).

A team's calendar (the events filed under the team, ``events.team_id``) is shared the same
way by the team's LEADs (or ADMIN), and its grants are read by the team's members too:

* FREE_BUSY: ``teamFreeBusy`` shows when the team's calendar is busy (PRIVATE events included);
* READ: the team's events are named as shared by the team (``CalendarEntry.sharedBy``), and
  the grantees are told of their changes. A team grant never opens a PRIVATE event: those stay
  with their owner, participants and the owner's own grantees (otherwise a LEAD could grant
  themselves any private matter someone filed under the team);
* WRITE: READ, plus changing and deleting the team's events that are not PRIVATE
  (``may_write_team_calendar``; anyone who writes may already file new events under a team).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.enums import Role, TeamRole
from db.models import CalendarGrant, Event, TeamMembership
from db.models.sharing import ShareLevel
from db.policies.audience import Audience, listed
from db.policies.base import EntityPolicy
from db.policies.viewer import Viewer

READ_LEVELS = (ShareLevel.READ, ShareLevel.WRITE)
ANY_LEVEL = (ShareLevel.FREE_BUSY, ShareLevel.READ, ShareLevel.WRITE)


def grant_reaches(viewer: Viewer) -> ColumnElement[bool]:
    """SQL on ``calendar_grants``: the grant is to the viewer or to a team the viewer belongs to."""
    if viewer.user_id is None:
        return false()
    my_teams = select(TeamMembership.team_id).where(TeamMembership.user_id == viewer.user_id)
    return or_(CalendarGrant.grantee_user_id == viewer.user_id, CalendarGrant.grantee_team_id.in_(my_teams))


def owners_sharing_with(viewer: Viewer, levels: Sequence[ShareLevel]) -> Select[int | None]:
    """The users whose calendars are shared with the viewer at one of ``levels``."""
    return select(CalendarGrant.owner_id).where(grant_reaches(viewer), CalendarGrant.level.in_(list(levels)),
                                                CalendarGrant.owner_id.is_not(None))


def teams_sharing_with(viewer: Viewer, levels: Sequence[ShareLevel]) -> Select[int | None]:
    """The teams whose calendars are shared with the viewer at one of ``levels``."""
    return select(CalendarGrant.owner_team_id).where(grant_reaches(viewer), CalendarGrant.level.in_(list(levels)),
                                                     CalendarGrant.owner_team_id.is_not(None))


async def grantees_of(session: AsyncSession, owner_ids: Iterable[int | None],
                      levels: Sequence[ShareLevel] = READ_LEVELS) -> dict[int, frozenset[int]]:
    """For each owner, the users their grants at ``levels`` reach now (team grants expanded)."""
    owners = sorted({o for o in owner_ids if o is not None})
    if not owners:
        return {}
    rows = await session.execute(
        select(CalendarGrant.owner_id, CalendarGrant.grantee_user_id, TeamMembership.user_id)
        .outerjoin(TeamMembership, TeamMembership.team_id == CalendarGrant.grantee_team_id)
        .where(CalendarGrant.owner_id.in_(owners), CalendarGrant.level.in_(list(levels)))
    )
    reached: dict[int, set[int]] = defaultdict(set)
    for owner_id, user_id, member_id in rows:
        for uid in (user_id, member_id):
            if uid is not None and owner_id is not None:
                reached[owner_id].add(uid)
    return {owner: frozenset(users) for owner, users in reached.items()}


async def reached_by_grant(session: AsyncSession, grant: CalendarGrant) -> frozenset[int]:
    """The users ``grant`` reaches now: its grantee, or its grantee team's members."""
    if grant.grantee_user_id is not None:
        return frozenset({grant.grantee_user_id})
    members = await session.scalars(
        select(TeamMembership.user_id).where(TeamMembership.team_id == grant.grantee_team_id))
    return frozenset(members)


def names_grantor(level: ShareLevel | None) -> bool:
    """A grant at ``level`` (None: no grant) makes its calendar's events name it in ``sharedBy``."""
    return level in READ_LEVELS


async def may_write_calendar(session: AsyncSession, viewer: Viewer, owner_id: int | None) -> bool:
    """The viewer owns the calendar or holds WRITE on it."""
    if viewer.user_id is None or owner_id is None:
        return False
    if viewer.user_id == owner_id:
        return True
    found = await session.scalar(
        select(CalendarGrant.id).where(CalendarGrant.owner_id == owner_id, CalendarGrant.level == ShareLevel.WRITE,
                                       grant_reaches(viewer)).limit(1)
    )
    return found is not None


async def may_write_team_calendar(session: AsyncSession, viewer: Viewer, team_id: int | None) -> bool:
    """The viewer holds WRITE on the team's calendar."""
    if viewer.user_id is None or team_id is None:
        return False
    found = await session.scalar(
        select(CalendarGrant.id).where(CalendarGrant.owner_team_id == team_id, CalendarGrant.level == ShareLevel.WRITE,
                                       grant_reaches(viewer)).limit(1)
    )
    return found is not None


def may_manage_grants(viewer: Viewer, owner_id: int | None) -> bool:
    return (owner_id is not None and viewer.user_id == owner_id) or viewer.is_admin


async def may_manage_team_grants(session: AsyncSession, viewer: Viewer, team_id: int) -> bool:
    """A team's calendar is shared by the team's LEADs (or ADMIN)."""
    if viewer.is_admin:
        return True
    if viewer.user_id is None:
        return False
    lead = await session.scalar(select(TeamMembership.user_id).where(
        TeamMembership.team_id == team_id, TeamMembership.user_id == viewer.user_id,
        TeamMembership.role == TeamRole.LEAD))
    return lead is not None


def my_teams(viewer: Viewer) -> Select[int]:
    return select(TeamMembership.team_id).where(TeamMembership.user_id == viewer.user_id)


GRANT_MANAGERS = frozenset({Role.ADMIN})  # manage every calendar's grants, so read them all
GRANT_EDITORS = "the calendar's owner (a team's: its LEADs), its grantee giving it back, or an ADMIN"


def grant_editable(viewer: Viewer) -> ColumnElement[bool]:
    """SQL on ``calendar_grants``: the viewer may remove the grant (as ``may_manage_grants`` and
    ``may_manage_team_grants`` say for making one, and a grantee may always give theirs back)."""
    if viewer.user_id is None:
        return false()
    if viewer.role in GRANT_MANAGERS:
        return true()
    leads = select(TeamMembership.team_id).where(TeamMembership.user_id == viewer.user_id,
                                                 TeamMembership.role == TeamRole.LEAD)
    return or_(CalendarGrant.owner_id == viewer.user_id, CalendarGrant.grantee_user_id == viewer.user_id,
               CalendarGrant.owner_team_id.in_(leads))


class CalendarGrantPolicy(EntityPolicy[CalendarGrant]):
    model = CalendarGrant
    entity_type = "CalendarGrant"
    editors: ClassVar[str] = GRANT_EDITORS

    def readable(self, viewer: Viewer) -> ColumnElement[bool]:
        if viewer.user_id is None:
            return false()
        if viewer.role in GRANT_MANAGERS:
            return true()
        return or_(CalendarGrant.owner_id == viewer.user_id, grant_reaches(viewer),
                   CalendarGrant.owner_team_id.in_(my_teams(viewer)))

    def editable(self, viewer: Viewer) -> ColumnElement[bool]:
        return grant_editable(viewer)

    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        grantee_member = aliased(TeamMembership)
        owner_member = aliased(TeamMembership)
        rows = (await session.execute(
            select(CalendarGrant.id, CalendarGrant.owner_id, CalendarGrant.grantee_user_id, grantee_member.user_id,
                   owner_member.user_id)
            .outerjoin(grantee_member, grantee_member.team_id == CalendarGrant.grantee_team_id)
            .outerjoin(owner_member, owner_member.team_id == CalendarGrant.owner_team_id)
            .where(CalendarGrant.id.in_(list(ids)))
        )).all()
        people: dict[int, set[int | None]] = defaultdict(set)
        for pk, owner_id, user_id, member_id, owner_member_id in rows:
            people[pk] |= {owner_id, user_id, member_id, owner_member_id}
        return {pk: listed(users, GRANT_MANAGERS) for pk, users in people.items()}


GRANTS = CalendarGrantPolicy()


# -- whose shared calendar an entry is on (CalendarEntry.sharedBy) ------------------------------
@dataclass(frozen=True, slots=True)
class Grantor:
    type_name: str  # "User" or "Team": whose calendar, shared with the viewer, the event is on
    id: int


def grantor_columns(viewer: Viewer) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """SQL on ``events``: (the owner shares their calendar with the viewer at READ or WRITE,
    the event's team does)."""
    return (Event.owner_id.in_(owners_sharing_with(viewer, READ_LEVELS)),
            Event.team_id.in_(teams_sharing_with(viewer, READ_LEVELS)))


def calendar_grantor(viewer: Viewer, owner_id: int | None, by_owner: bool | None, team_id: int | None,
                     by_team: bool | None) -> Grantor | None:
    """Who shared the calendar a (readable) event is on with the viewer: its owner, when they share
    their calendar with the viewer and are not the viewer; else its team, when the team shares its
    calendar with the viewer; else nobody (the viewer's own, or an office event on no shared calendar)."""
    if owner_id is not None and by_owner and owner_id != viewer.user_id:
        return Grantor("User", owner_id)
    if team_id is not None and by_team and owner_id != viewer.user_id:
        return Grantor("Team", team_id)
    return None


async def free_busy_visible(session: AsyncSession, viewer: Viewer, owner_ids: Sequence[int]) -> set[int]:
    """Of ``owner_ids``, whose free/busy the viewer may see: their own, and calendars shared at any level."""
    if viewer.user_id is None:
        return set()
    shared = await session.scalars(
        owners_sharing_with(viewer, ANY_LEVEL).where(CalendarGrant.owner_id.in_(list(owner_ids)))
    )
    return {viewer.user_id, *(int(pk) for pk in shared if pk is not None)} & set(owner_ids)


async def team_free_busy_visible(session: AsyncSession, viewer: Viewer, team_ids: Sequence[int]) -> set[int]:
    """Of ``team_ids``, whose calendar's free/busy the viewer may see: teams they belong to, and
    team calendars shared with them at any level."""
    if viewer.user_id is None or not team_ids:
        return set()
    wanted = list(team_ids)
    shared = await session.scalars(teams_sharing_with(viewer, ANY_LEVEL).where(CalendarGrant.owner_team_id.in_(wanted)))
    mine = await session.scalars(my_teams(viewer).where(TeamMembership.team_id.in_(wanted)))
    return {int(pk) for pk in [*shared, *mine] if pk is not None}
