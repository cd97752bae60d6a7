"""Event mutations: create, RSVP, attendance (updates and deletes by scope live beside)."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.dialects.postgresql import insert

from db.enums import ChangeOp, Rsvp, TemplateKind
from db.models import Event, EventParticipant, User
from db.policies.event import may_respond
from db.policies.sharing import may_write_calendar
from db.queries.event import can_read_event, get_event, participant_ids_of
from db.queries.logs import record_audit, record_change
from jobs.queue import enqueue
from resolvers import event_fields as f
from resolvers import validation as v
from resolvers.mutation import not_found, run_mutation, validation
from schema.core.errors import DomainError, ErrorCode
from schema.core.ids import decode_id
from schema.event.inputs import CreateEventInput, RecordAttendanceInput, RespondToEventInput
from schema.event.payloads import CreateEventPayload, RecordAttendancePayload, RespondToEventPayload
from schema.event.types import EventParticipantType, EventType
from server.context import Context


def new_uid() -> str:
    return f"{uuid.uuid4()}@almanac"


async def calendar_owner(ctx: Context, input: CreateEventInput) -> int:
    """Whose calendar the new event goes on: the caller's, or one they hold WRITE on."""
    user = ctx.require_writer()
    if input.calendar_owner_id is None:
        return user.id
    owner_id = decode_id(str(input.calendar_owner_id), "User", field="input.calendarOwnerId")
    if not await may_write_calendar(ctx.session, ctx.viewer, owner_id):
        raise DomainError.one(ErrorCode.PERMISSION_DENIED, "You may not add events to that calendar.",
                              "input.calendarOwnerId")
    return owner_id


async def create_event(ctx: Context, input: CreateEventInput) -> CreateEventPayload:
    async def work() -> CreateEventPayload:
        user = ctx.require_writer()
        session = ctx.session
        tz = v.timezone_name(input.timezone, "input.timezone")
        start, end = f.times(input.start, input.end, all_day=input.all_day, timezone_name=tz)
        f.quarterly(input.is_quarterly_coordination, input.quarter, input.fiscal_year)
        event = Event(
            uid=new_uid(), title=f.title(input.title), description=f.description(input.description),
            location=f.location(input.location), module=input.module, visibility=input.visibility,
            starts_at=start, ends_at=end, all_day=input.all_day, timezone=tz, rrule=f.rrule(input.rrule),
            rdates=f.moments(input.rdates, "input.rdates"), exdates=f.moments(input.exdates, "input.exdates"),
            reminders=f.reminders(input.reminders), open_to_all=input.open_to_all,
            is_quarterly_coordination=input.is_quarterly_coordination,
            quarter=input.quarter, fiscal_year=input.fiscal_year, owner_id=await calendar_owner(ctx, input),
            team_id=await f.team_id(session, input.team_id),
            community_id=await f.community_id(session, input.community_id),
            sequence=0, version=1,
        )
        participants = await f.participant_ids(session, input.participant_ids)
        f.refresh_series_end(event)
        session.add(event)
        await session.flush()
        session.add_all(EventParticipant(event_id=event.id, user_id=uid) for uid in participants)
        if event.is_quarterly_coordination:
            from db.queries.task_generation import generate_default_tasks

            await generate_default_tasks(session, TemplateKind.COORDINATION_EVENT, event, actor_id=user.id)
        await record_change(session, "Event", event.id, ChangeOp.CREATED, f.change_payload(event, participants),
                      actor_id=user.id)
        record_audit(session, actor_id=user.id, action="create", entity_type="Event", entity_id=event.id,
                     after={"title": event.title, "start": f.iso(event.starts_at), "rrule": event.rrule})
        await ctx.commit()
        await enqueue(ctx, "schedule_event_reminders", event.id)
        await enqueue(ctx, "notify_calendar_followers", event.id, user.id, "created")
        return CreateEventPayload(event=EventType.from_model(event), errors=[])

    return await run_mutation(ctx, work, lambda errors: CreateEventPayload(event=None, errors=errors))


async def readable_event(ctx: Context, value: str, field: str) -> Event:
    """The event if the viewer may read it; NOT_FOUND otherwise (a PRIVATE event is not revealed)."""
    event = await get_event(ctx.session, f.event_id(value, field), for_update=True)
    if event is None or not await can_read_event(ctx.session, event, ctx.viewer):
        raise not_found("Event", field)
    return event


async def respond_to_event(ctx: Context, input: RespondToEventInput) -> RespondToEventPayload:
    """The viewer's RSVP: for the invited, the owner, or any reader of an event open to all
    (``db/policies/event.may_respond``)."""
    async def work() -> RespondToEventPayload:
        user = ctx.require_writer()
        session = ctx.session
        event = await readable_event(ctx, input.event_id, "input.eventId")
        invited = user.id in await participant_ids_of(session, event.id)
        if not may_respond(ctx.viewer, event.owner_id, invited=invited, open_to_all=event.open_to_all):
            raise DomainError.one(ErrorCode.PERMISSION_DENIED, "Only invited users may respond to this event.",
                                  "input.eventId")
        now = datetime.now(UTC)
        values = insert(EventParticipant).values(event_id=event.id, user_id=user.id, rsvp=Rsvp(input.rsvp),
                                                 responded_at=now)
        upsert = values.on_conflict_do_update(
            index_elements=[EventParticipant.event_id, EventParticipant.user_id],
            set_={"rsvp": values.excluded.rsvp, "responded_at": values.excluded.responded_at},
        ).returning(EventParticipant)
        participant = (await session.scalars(upsert)).one()
        participants = await participant_ids_of(session, event.id)
        await record_change(session, "Event", event.id, ChangeOp.UPDATED,
                      {**f.change_payload(event, participants), "user_id": user.id, "rsvp": participant.rsvp.value},
                      actor_id=user.id)
        await ctx.commit()
        return RespondToEventPayload(event=EventType.from_model(event),
                                     participant=EventParticipantType.from_model(participant), errors=[])

    return await run_mutation(
        ctx, work, lambda errors: RespondToEventPayload(event=None, participant=None, errors=errors)
    )


async def record_attendance(ctx: Context, input: RecordAttendanceInput) -> RecordAttendancePayload:
    """The owner (and, unless the event is PRIVATE, managers and admins) mark who attended, adding them
    as participants if needed (``db/policies/event.may_change_event``)."""
    async def work() -> RecordAttendancePayload:
        user = ctx.require_writer()
        session = ctx.session
        event = await readable_event(ctx, input.event_id, "input.eventId")
        await f.may_edit(ctx.session, ctx.viewer, event)
        if not input.attendance:
            raise validation("Name at least one participant.", "input.attendance")
        marks: dict[int, bool] = {}
        for item in input.attendance:
            ids = await f.ids_of(session, User, [item.user_id], "User", "input.attendance.userId")
            marks[ids[0]] = item.attended
        values = insert(EventParticipant).values(
            [{"event_id": event.id, "user_id": uid, "attended": attended} for uid, attended in marks.items()]
        )
        upsert = values.on_conflict_do_update(
            index_elements=[EventParticipant.event_id, EventParticipant.user_id],
            set_={"attended": values.excluded.attended},
        ).returning(EventParticipant)
        rows = sorted((await session.scalars(upsert)).all(), key=lambda p: p.user_id)
        record_audit(session, actor_id=user.id, action="record_attendance", entity_type="Event",
                     entity_id=event.id, after={str(uid): attended for uid, attended in marks.items()})
        participants = await participant_ids_of(session, event.id)
        await record_change(session, "Event", event.id, ChangeOp.UPDATED, f.change_payload(event, participants),
                      actor_id=user.id)
        await ctx.commit()
        return RecordAttendancePayload(event=EventType.from_model(event),
                                       participants=[EventParticipantType.from_model(r) for r in rows], errors=[])

    return await run_mutation(
        ctx, work, lambda errors: RecordAttendancePayload(event=None, participants=[], errors=errors)
    )
