"""Calendar sharing: grants on one's calendar, and free/busy for those they reach.

A grant change also tells live calendars what it changed for whom (``db.queries.grant_changes``).
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ChangeOp
from db.models import CalendarGrant, Team, User
from db.models.sharing import ShareLevel
from db.policies import policy_for
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
from db.queries.grant_changes import announce_shared_by, private_event_readership
from db.queries.logs import (
    audience_now,
    record_audience_changes,
    record_audit,
    record_change,
)
from db.rules.availability import BusyBlock
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

MAX_FREE_BUSY_USERS = 50


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
        before = await private_event_readership(ctx.session, owner_id)
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
            await announce_shared_by(ctx.session, grant, await reached_by_grant(ctx.session, grant), announced,
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
        before = await private_event_readership(ctx.session, owner_id)
        former = await audience_now(ctx.session, "CalendarGrant", pk)
        reached = await reached_by_grant(ctx.session, grant) if names_grantor(grant.level) else frozenset()
        whose = {"owner_id": owner_id, "owner_team_id": grant.owner_team_id}
        await ctx.session.delete(grant)
        await record_change(ctx.session, "CalendarGrant", pk, ChangeOp.DELETED, whose,
                            actor_id=user.id, former=former)
        announced = await record_audience_changes(ctx.session, "Event", before, {"shared_by": owner_id},
                                                  actor_id=user.id)
        await announce_shared_by(ctx.session, grant, reached, announced, actor_id=user.id)
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
