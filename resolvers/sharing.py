"""Calendar sharing: grants on one's calendar, and free/busy for those they reach.

A grant changes who reads the owner's PRIVATE events, so each grant change also writes an
Event change for those events (the most recent ``MAX_EVENTS_ANNOUNCED``): open subscriptions
of new readers receive them at once, those who lost access receive removals. A grant that
starts or stops naming its calendar (``CalendarEntry.sharedBy``: READ or WRITE) changes what
those it reaches are shown of every event on it, so they (and only they) are told of those
events too.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ChangeOp, Visibility
from db.models import CalendarGrant, Event, Team, User
from db.models.sharing import ShareLevel
from db.policies import policy_for
from db.policies.audience import Audience
from db.policies.event import event_audiences
from db.policies.sharing import (
    GRANTS,
    free_busy_visible,
    may_manage_grants,
    may_manage_team_grants,
    names_grantor,
    reached_by_grant,
    team_free_busy_visible,
)
from db.policies.viewer import Viewer
from db.queries.free_busy import busy_blocks, team_busy_blocks
from db.queries.logs import (
    audience_now,
    record_audience_changes,
    record_audit,
    record_change,
    record_update_for,
)
from db.rules.availability import BusyBlock
from db.rules.event_changes import placement
from db.rules.recurrence import ExpansionLimit
from resolvers.calendar import window
from resolvers.mutation import not_found, run_mutation, validation
from resolvers.targets import editable_target
from schema.core.connection import Connection, paginate
from schema.core.errors import DomainError, ErrorCode
from schema.core.ids import decode_id, decode_typed_id, to_global_id
from schema.sharing.inputs import ShareCalendarInput, UnshareCalendarInput
from schema.sharing.payloads import ShareCalendarPayload, UnshareCalendarPayload
from schema.sharing.types import BusyPeriodType, CalendarGrantType, FreeBusyType, TeamFreeBusyType
from server.context import Context

MAX_EVENTS_ANNOUNCED = 1000
MAX_FREE_BUSY_USERS = 50


async def private_event_readership(ctx: Context, *owner_ids: int | None) -> dict[int, Audience]:
    """Who reads the owners' PRIVATE events now (a team's grants open none: nothing to announce)."""
    owners = [pk for pk in owner_ids if pk is not None]
    if not owners:
        return {}
    ids = list(await ctx.session.scalars(
        select(Event.id).where(Event.owner_id.in_(owners), Event.visibility == Visibility.PRIVATE)
        .order_by(Event.starts_at.desc()).limit(MAX_EVENTS_ANNOUNCED)
    ))
    return await event_audiences(ctx.session, ids)


async def announce_shared_by(ctx: Context, grant: CalendarGrant, reached: frozenset[int], announced: set[int],
                             *, actor_id: int) -> None:
    """The grant began or ceased to name its calendar in ``sharedBy``: each event on that calendar
    (the most recent ``MAX_EVENTS_ANNOUNCED``) is told as UPDATED to those of ``reached`` who read
    it, so their live calendars show the new value; events in ``announced`` already went to all
    their readers."""
    if not reached:
        return
    on_calendar = (Event.owner_id == grant.owner_id if grant.owner_id is not None
                   else Event.team_id == grant.owner_team_id)
    events = list(await ctx.session.scalars(
        select(Event).where(on_calendar).order_by(Event.starts_at.desc()).limit(MAX_EVENTS_ANNOUNCED)))
    readers = await event_audiences(ctx.session, [e.id for e in events if e.id not in announced])
    whose = {"shared_by": grant.owner_id} if grant.owner_id is not None else {"shared_by_team": grant.owner_team_id}
    for event in events:
        told = readers[event.id].among(reached) if event.id in readers else None
        if told is not None and not told.is_empty:
            record_update_for(ctx.session, "Event", event.id, placement(event) | whose, told, actor_id=actor_id)


@dataclass(slots=True)
class TeamReach:
    """The calendars shared with a team, and who read their owners' PRIVATE events, before one
    of its memberships changes: joining or leaving the team is gaining or losing those grants."""

    team_id: int
    grants: list[CalendarGrant]
    private: dict[int, Audience]


async def team_reach(ctx: Context, team_id: int) -> TeamReach:
    grants = list(await ctx.session.scalars(select(CalendarGrant).where(CalendarGrant.grantee_team_id == team_id)))
    return TeamReach(team_id, grants, await private_event_readership(ctx, *(g.owner_id for g in grants)))


async def announce_team_reach(ctx: Context, reach: TeamReach, member_id: int, *, actor_id: int) -> None:
    """After ``member_id`` joined or left the team: the PRIVATE events they now read or no longer
    read reach them (or leave them), and the calendars the team's grants name are re-named to them."""
    announced = await record_audience_changes(ctx.session, "Event", reach.private, {"grantee_team": reach.team_id},
                                              actor_id=actor_id)
    for grant in reach.grants:
        if names_grantor(grant.level):
            await announce_shared_by(ctx, grant, frozenset({member_id}), announced, actor_id=actor_id)


async def calendar_owner(ctx: Context, value: strawberry.ID | None, user_id: int) -> tuple[int | None, int | None]:
    """(user id, team id) of the calendar to share: the caller's own, another user's (ADMIN), or a
    team's (its LEADs, ADMIN); PERMISSION_DENIED otherwise."""
    if value is None:
        return user_id, None
    kind, pk = decode_typed_id(str(value), field="input.ownerId")
    if kind == "Team":
        if await ctx.loaders.by_id(Team).load(pk) is None:
            raise not_found("Team", "input.ownerId")
        if not await may_manage_team_grants(ctx.session, ctx.viewer, pk):
            raise DomainError.one(ErrorCode.PERMISSION_DENIED, "Only the team's leads (or an ADMIN) share its calendar.",
                                  "input.ownerId")
        return None, pk
    if kind != "User":
        raise validation("Give a User or a Team id.", "input.ownerId")
    if not may_manage_grants(ctx.viewer, pk):
        raise DomainError.one(ErrorCode.PERMISSION_DENIED, "Only the calendar's owner (or an ADMIN) shares it.")
    return pk, None


async def share_calendar(ctx: Context, input: ShareCalendarInput) -> ShareCalendarPayload:
    async def work() -> ShareCalendarPayload:
        user = ctx.require_user()
        owner_id, owner_team_id = await calendar_owner(ctx, input.owner_id, user.id)
        kind, grantee_pk = decode_typed_id(str(input.grantee_id), field="input.granteeId")
        if kind == "User":
            grantee: User | Team | None = await ctx.loaders.by_id(User).load(grantee_pk)
        else:
            grantee = await ctx.loaders.by_id(Team).load(grantee_pk) if kind == "Team" else None
        if grantee is None:
            raise not_found("User or Team", "input.granteeId")
        if kind == "User" and grantee_pk == owner_id:
            raise validation("A calendar is always shared with its owner.", "input.granteeId")
        column = CalendarGrant.grantee_user_id if kind == "User" else CalendarGrant.grantee_team_id
        before = await private_event_readership(ctx, owner_id)
        owner = CalendarGrant.owner_id == owner_id if owner_id is not None else CalendarGrant.owner_team_id == owner_team_id
        grant = await ctx.session.scalar(select(CalendarGrant).where(owner, column == grantee_pk).with_for_update())
        named_before = names_grantor(grant.level if grant is not None else None)
        if grant is None:
            grant = CalendarGrant(owner_id=owner_id, owner_team_id=owner_team_id, level=ShareLevel(input.level),
                                  created_by_id=user.id, **{column.key: grantee_pk})
            ctx.session.add(grant)
        else:
            grant.level = ShareLevel(input.level)
        await ctx.session.flush()
        whose = {"owner_id": owner_id, "owner_team_id": owner_team_id}
        await record_change(ctx.session, "CalendarGrant", grant.id, ChangeOp.UPDATED, whose, actor_id=user.id)
        announced = await record_audience_changes(ctx.session, "Event", before, {"shared_by": owner_id},
                                                  actor_id=user.id)
        if names_grantor(grant.level) != named_before:
            await announce_shared_by(ctx, grant, await reached_by_grant(ctx.session, grant), announced,
                                     actor_id=user.id)
        record_audit(ctx.session, actor_id=user.id, action="share", entity_type="CalendarGrant", entity_id=grant.id,
                     after={**whose, "grantee": f"{kind}:{grantee_pk}", "level": grant.level.value})
        await ctx.commit()
        return ShareCalendarPayload(grant=CalendarGrantType.from_model(grant), errors=[])

    return await run_mutation(ctx, work, lambda errors: ShareCalendarPayload(grant=None, errors=errors))


async def unshare_calendar(ctx: Context, input: UnshareCalendarInput) -> UnshareCalendarPayload:
    async def work() -> UnshareCalendarPayload:
        user = ctx.require_user()
        pk = decode_id(str(input.id), "CalendarGrant", field="input.id")
        grant: CalendarGrant = await editable_target(ctx, GRANTS, pk, "CalendarGrant", "input.id")
        owner_id = grant.owner_id
        before = await private_event_readership(ctx, owner_id)
        former = await audience_now(ctx.session, "CalendarGrant", pk)
        reached = await reached_by_grant(ctx.session, grant) if names_grantor(grant.level) else frozenset()
        whose = {"owner_id": owner_id, "owner_team_id": grant.owner_team_id}
        await ctx.session.delete(grant)
        await record_change(ctx.session, "CalendarGrant", pk, ChangeOp.DELETED, whose,
                            actor_id=user.id, former=former)
        announced = await record_audience_changes(ctx.session, "Event", before, {"shared_by": owner_id},
                                                  actor_id=user.id)
        await announce_shared_by(ctx, grant, reached, announced, actor_id=user.id)
        record_audit(ctx.session, actor_id=user.id, action="unshare", entity_type="CalendarGrant", entity_id=pk)
        await ctx.commit()
        return UnshareCalendarPayload(deleted_id=strawberry.ID(str(input.id)), errors=[])

    return await run_mutation(ctx, work, lambda errors: UnshareCalendarPayload(deleted_id=None, errors=errors))


async def calendar_grants(ctx: Context, *, first: int | None, after: str | None) -> Connection[CalendarGrantType]:
    ctx.require_user()
    stmt = policy_for(CalendarGrant).select(ctx.viewer).order_by(CalendarGrant.id)
    return await paginate(ctx.session, stmt, first=first, after=after, to_node=CalendarGrantType.from_model)


Visible = Callable[[AsyncSession, Viewer, Sequence[int]], Awaitable[set[int]]]
Blocks = Callable[[AsyncSession, Sequence[int], datetime, datetime], Awaitable[dict[int, list[BusyBlock]]]]


async def busy_of(ctx: Context, values: Sequence[str], start: datetime, end: datetime, *, type_name: str,
                  field: str, noun: str, visible_of: Visible,
                  blocks_of: Blocks) -> list[tuple[strawberry.ID, bool, list[BusyPeriodType]]]:
    """(global id, visible, busy periods) of each calendar asked for, in the order asked; busy
    periods only of those ``visible_of`` lets the caller see."""
    ctx.require_user()
    if len(values) > MAX_FREE_BUSY_USERS:
        raise DomainError.one(ErrorCode.VALIDATION, f"Ask for at most {MAX_FREE_BUSY_USERS} {noun}.", field)
    window(start, end, ctx.settings.max_window_days)
    ids = [decode_id(str(value), type_name, field=field) for value in values]
    visible = await visible_of(ctx.session, ctx.viewer, ids)
    try:
        blocks = await blocks_of(ctx.session, sorted(visible), start, end)
    except ExpansionLimit as error:
        raise validation(str(error), "end") from None
    return [(to_global_id(type_name, pk), pk in visible,
             [BusyPeriodType(start=b.start, end=b.end) for b in blocks.get(pk, [])]) for pk in ids]


async def free_busy(ctx: Context, user_ids: Sequence[str], start: datetime, end: datetime) -> list[FreeBusyType]:
    found = await busy_of(ctx, user_ids, start, end, type_name="User", field="userIds", noun="people",
                          visible_of=free_busy_visible, blocks_of=busy_blocks)
    return [FreeBusyType(user_id=pk, visible=visible, busy=busy) for pk, visible, busy in found]


async def team_free_busy(ctx: Context, team_ids: Sequence[str], start: datetime,
                         end: datetime) -> list[TeamFreeBusyType]:
    found = await busy_of(ctx, team_ids, start, end, type_name="Team", field="teamIds", noun="teams",
                          visible_of=team_free_busy_visible, blocks_of=team_busy_blocks)
    return [TeamFreeBusyType(team_id=pk, visible=visible, busy=busy) for pk, visible, busy in found]
