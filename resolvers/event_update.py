"""``updateEvent`` with ``scope``: THIS overrides one occurrence, THIS_AND_FOLLOWING splits
the series, ALL edits the master (moving rdates, exdates and overrides along when
only its start moves)."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ChangeOp, TemplateKind
from db.models import Event, EventOverride, EventParticipant
from db.queries.event import overrides_of, participant_ids_of
from db.queries.logs import event_readership, record_audit, record_change, record_event_change
from jobs.queue import enqueue
from resolvers import event_fields as f
from resolvers import event_series as series
from resolvers import validation as v
from resolvers.event import new_uid, readable_event
from resolvers.mutation import run_mutation, validation
from schema.event.inputs import EventScope, UpdateEventInput
from schema.event.payloads import UpdateEventPayload
from schema.event.types import EventOverrideType, EventType
from server.context import Context

UNSET: Any = strawberry.UNSET
OCCURRENCE_FIELDS = frozenset({"title", "description", "location", "start", "end"})
SERIES_FIELDS = (
    "all_day", "timezone", "rrule", "rdates", "exdates", "reminders", "participant_ids", "module", "visibility",
    "open_to_all",
    "team_id", "community_id", "is_quarterly_coordination", "quarter", "fiscal_year",
)


def given(input: UpdateEventInput, name: str) -> bool:
    return getattr(input, name) is not UNSET


async def apply_to_series(session: AsyncSession, event: Event, input: UpdateEventInput) -> bool:
    """Apply the input to a whole series; True when its quarterly flag was turned on."""
    if given(input, "title"):
        event.title = f.title(v.required(input.title, "input.title"))
    if given(input, "description"):
        event.description = f.description(input.description or "")
    if given(input, "location"):
        event.location = f.location(input.location or "")
    if given(input, "module"):
        event.module = v.required(input.module, "input.module")
    if given(input, "visibility"):
        event.visibility = v.required(input.visibility, "input.visibility")
    if given(input, "open_to_all"):
        event.open_to_all = bool(v.required(input.open_to_all, "input.openToAll"))
    if given(input, "reminders"):
        event.reminders = f.reminders(input.reminders)
    if given(input, "team_id"):
        event.team_id = await f.team_id(session, input.team_id)
    if given(input, "community_id"):
        event.community_id = await f.community_id(session, input.community_id)
    was_quarterly = event.is_quarterly_coordination
    for name in ("is_quarterly_coordination", "quarter", "fiscal_year"):
        if given(input, name):
            value = getattr(input, name)
            setattr(event, name, bool(value) if name == "is_quarterly_coordination" else value)
    f.quarterly(event.is_quarterly_coordination, event.quarter, event.fiscal_year)
    await apply_schedule(session, event, input)
    if given(input, "participant_ids"):
        await replace_participants(session, event.id, await f.participant_ids(session, input.participant_ids))
    return event.is_quarterly_coordination and not was_quarterly


async def apply_schedule(session: AsyncSession, event: Event, input: UpdateEventInput) -> None:
    """Times, time zone and recurrence; keeps rdates/exdates/overrides on the same wall-clock slots."""
    old_start, old_rule, old_tz, old_all_day = event.starts_at, event.rrule, event.timezone, event.all_day
    tz = v.timezone_name(v.required(input.timezone, "input.timezone"), "input.timezone") if given(input, "timezone") else event.timezone
    all_day = bool(v.required(input.all_day, "input.allDay")) if given(input, "all_day") else event.all_day
    start = v.required(input.start, "input.start") if given(input, "start") else event.starts_at
    end = v.required(input.end, "input.end") if given(input, "end") else event.ends_at
    if given(input, "start") and not given(input, "end"):
        end = start + (event.ends_at - event.starts_at)
    event.starts_at, event.ends_at = f.times(start, end, all_day=all_day, timezone_name=tz)
    event.timezone, event.all_day = tz, all_day
    moved = event.starts_at != old_start
    if given(input, "rrule"):
        event.rrule = f.rrule(input.rrule)
    elif moved and event.rrule:
        event.rrule = series.shift_until(event.rrule, old_start, event.starts_at, old_tz)
    if given(input, "rdates"):
        event.rdates = f.moments(input.rdates, "input.rdates")
    elif moved:
        event.rdates = [series.shift_wall(r, old_start, event.starts_at, old_tz) for r in event.rdates or []]
    if given(input, "exdates"):
        event.exdates = f.moments(input.exdates, "input.exdates")
    elif moved:
        event.exdates = [series.shift_wall(x, old_start, event.starts_at, old_tz) for x in event.exdates or []]
    if (given(input, "rrule") and event.rrule != old_rule) or (event.timezone, event.all_day) != (old_tz, old_all_day):
        await session.execute(delete(EventOverride).where(EventOverride.event_id == event.id))
    elif moved:
        for override in await overrides_of(session, event.id):
            if override.starts_at == override.recurrence_id and override.ends_at is not None:
                # not moved on its own: it follows the series
                override.starts_at = series.shift_wall(override.starts_at, old_start, event.starts_at, old_tz)
                override.ends_at = series.shift_wall(override.ends_at, old_start, event.starts_at, old_tz)
            override.recurrence_id = series.shift_wall(override.recurrence_id, old_start, event.starts_at, old_tz)


async def replace_participants(session: AsyncSession, event_id: int, user_ids: list[int]) -> None:
    await session.execute(
        delete(EventParticipant).where(EventParticipant.event_id == event_id, EventParticipant.user_id.not_in(user_ids))
    )
    present = set(await session.scalars(select(EventParticipant.user_id).where(EventParticipant.event_id == event_id)))
    session.add_all(EventParticipant(event_id=event_id, user_id=uid) for uid in user_ids if uid not in present)


def override_occurrence(override: EventOverride, event: Event, input: UpdateEventInput) -> None:
    bad = [name for name in SERIES_FIELDS if given(input, name)]
    if bad:
        raise validation("Only title, description, location, start and end can change for one occurrence.",
                         f"input.{bad[0]}")
    duration = event.ends_at - event.starts_at
    current_start = override.starts_at or override.recurrence_id
    current_end = override.ends_at or current_start + duration
    start = v.required(input.start, "input.start") if given(input, "start") else current_start
    end = v.required(input.end, "input.end") if given(input, "end") else (
        start + (current_end - current_start) if given(input, "start") else current_end
    )
    override.starts_at, override.ends_at = f.times(start, end, all_day=event.all_day, timezone_name=event.timezone)
    override.cancelled = False
    if given(input, "title"):
        override.title = f.title(v.required(input.title, "input.title"))
    if given(input, "description"):
        override.description = f.description(input.description or "")
    if given(input, "location"):
        override.location = f.location(input.location or "")


async def update_event(ctx: Context, input: UpdateEventInput) -> UpdateEventPayload:
    async def work() -> UpdateEventPayload:
        user = ctx.require_writer()
        session = ctx.session
        event = await readable_event(ctx, input.id, "input.id")
        await f.may_edit(ctx.session, ctx.viewer, event)
        f.check_version(event, input.expected_version)
        old = f.span(event)
        readership = await event_readership(session, event.id)
        scope = input.scope if series.is_recurring(event) else EventScope.ALL
        written: EventOverride | None = None
        target = event
        became_quarterly = False
        if scope is EventScope.THIS:
            occurrence, overrides = await series.load_occurrence(session, event, input.occurrence)
            written = await series.upsert_override(session, event, overrides, occurrence)
            override_occurrence(written, event, input)
            await session.flush()
        elif scope is EventScope.THIS_AND_FOLLOWING:
            occurrence, _ = await series.load_occurrence(session, event, input.occurrence)
            if not series.is_first(event, occurrence):
                target = await series.split_off_tail(session, event, occurrence, new_uid())
                f.refresh_series_end(event, await overrides_of(session, event.id))
                f.bump_version(event)
        if written is None:
            became_quarterly = await apply_to_series(session, target, input)
            await session.flush()
        f.refresh_series_end(target, await overrides_of(session, target.id))
        if target is event:
            f.bump_version(event)
        target.updated_at = event.updated_at = datetime.now(UTC)  # explicit: no reload after the flush
        await session.flush()
        if became_quarterly:
            from db.queries.task_generation import generate_default_tasks

            await generate_default_tasks(session, TemplateKind.COORDINATION_EVENT, target, actor_id=user.id)
        await record_event_change(session, event.id, ChangeOp.UPDATED,
                                  f.change_payload(event, await participant_ids_of(session, event.id), old=old)
                                  | ({"recurrence_id": f.iso(written.recurrence_id)} if written is not None else {}),
                                  actor_id=user.id, before=readership)
        if target is not event:
            await record_change(session, "Event", target.id, ChangeOp.CREATED,
                          f.change_payload(target, await participant_ids_of(session, target.id)), actor_id=user.id)
        record_audit(session, actor_id=user.id, action=f"update:{scope.value}", entity_type="Event",
                     entity_id=event.id, before={"start": f.iso(old[0]), "end": f.iso(old[1])},
                     after={"start": f.iso(target.starts_at), "rrule": target.rrule, "split_into": target.id
                            if target is not event else None})
        await ctx.commit()
        await enqueue(ctx, "schedule_event_reminders", target.id)
        await enqueue(ctx, "notify_calendar_followers", target.id, user.id, "changed")
        return UpdateEventPayload(
            event=EventType.from_model(target),
            override=EventOverrideType.from_model(written) if written is not None else None,
            errors=[],
        )

    return await run_mutation(ctx, work, lambda errors: UpdateEventPayload(event=None, override=None, errors=errors))
