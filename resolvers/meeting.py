"""Meeting records: minutes (optimistic concurrency) and decisions; action items become tasks.

Only readers of the meeting (its event) may read or write its record; VIEWERs read only.
"""
from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import select

from db.enums import ChangeOp, TaskDomain, TaskStatus
from db.models import Event, MeetingDecision, MeetingMinutes, Task, TaskAssignee
from db.models.meeting import DecisionKind
from db.policies import policy_for
from db.queries.board import last_position
from db.queries.logs import record_audit, record_change
from db.queries.task_changes import TaskSnapshot, record_task_change
from db.queries.versioned import update_versioned
from db.rules import kanban
from resolvers import ppa_fields as pf
from resolvers import validation as v
from resolvers.lifecycle import stale
from resolvers.mutation import not_found, run_mutation, validation
from resolvers.task_changes import notify_if_assigned
from schema.core.ids import decode_id
from schema.meeting.inputs import AddMeetingDecisionInput, RecordMeetingMinutesInput
from schema.meeting.payloads import AddMeetingDecisionPayload, RecordMeetingMinutesPayload
from schema.meeting.types import MeetingDecisionType, MeetingMinutesType, MeetingRecordType
from schema.task.types import TaskType
from server.context import Context

MAX_MINUTES = 100_000
DUE_TIME = time(17, 0)  # an action item's due day ends at 17:00 UTC


async def readable_meeting(ctx: Context, value: str, field: str = "input.eventId") -> Event:
    pk = decode_id(value, "Event", field=field)
    event: Event | None = await ctx.session.scalar(policy_for(Event).select(ctx.viewer).where(Event.id == pk))
    if event is None or event.parent_event_id is not None:
        raise not_found("Meeting", field)
    return event


async def meeting_record(ctx: Context, event_id: str) -> MeetingRecordType:
    ctx.require_user()
    event = await readable_meeting(ctx, event_id, "eventId")
    minutes = await ctx.session.scalar(policy_for(MeetingMinutes).select(ctx.viewer)
                                       .where(MeetingMinutes.event_id == event.id))
    decisions = await ctx.session.scalars(policy_for(MeetingDecision).select(ctx.viewer)
                                          .where(MeetingDecision.event_id == event.id)
                                          .order_by(MeetingDecision.created_at, MeetingDecision.id))
    return MeetingRecordType(minutes=MeetingMinutesType.from_model(minutes) if minutes else None,
                             decisions=[MeetingDecisionType.from_model(d) for d in decisions])


async def record_minutes(ctx: Context, input: RecordMeetingMinutesInput) -> RecordMeetingMinutesPayload:
    async def work() -> RecordMeetingMinutesPayload:
        user = ctx.require_writer()
        event = await readable_meeting(ctx, input.event_id)
        body = v.text(input.body, "input.body", max_length=MAX_MINUTES, required=False)
        current = await ctx.session.scalar(select(MeetingMinutes).where(MeetingMinutes.event_id == event.id))
        if current is None:
            minutes = MeetingMinutes(event_id=event.id, body=body, recorded_by_id=user.id)
            ctx.session.add(minutes)
            await ctx.session.flush()
            op = ChangeOp.CREATED
        else:
            if input.expected_version is None:
                raise validation("The minutes exist: pass the version you read as expectedVersion.",
                                 "input.expectedVersion")
            found = await update_versioned(ctx.session, MeetingMinutes, current.id, input.expected_version,
                                           {"body": body, "recorded_by_id": user.id})
            if found is None:
                raise stale("minutes")
            minutes, op = found, ChangeOp.UPDATED
        await record_change(ctx.session, "MeetingMinutes", minutes.id, op, {"event_id": event.id}, actor_id=user.id)
        record_audit(ctx.session, actor_id=user.id, action="record_minutes", entity_type="Event", entity_id=event.id,
                     after={"minutes_version": minutes.version})
        await ctx.commit()
        return RecordMeetingMinutesPayload(minutes=MeetingMinutesType.from_model(minutes), errors=[])

    return await run_mutation(ctx, work, lambda errors: RecordMeetingMinutesPayload(minutes=None, errors=errors))


async def action_item_task(ctx: Context, event: Event, decision: MeetingDecision, actor_id: int) -> Task:
    due = datetime.combine(decision.due_on, DUE_TIME, UTC) if decision.due_on else None
    task = Task(title=pf.title(decision.text[:300], "input.text"), description=f"Action item of {event.title}.",
                domain=TaskDomain.COORDINATION, due_at=due, event_id=event.id, created_by_id=actor_id,
                position=kanban.position_after_last(await last_position(ctx.session, TaskStatus.TODO)))
    ctx.session.add(task)
    await ctx.session.flush()
    assignees = [decision.assignee_id] if decision.assignee_id else []
    ctx.session.add_all(TaskAssignee(task_id=task.id, user_id=u) for u in assignees)
    await ctx.session.flush()
    await record_task_change(ctx.session, task, ChangeOp.CREATED, actor_id=actor_id,
                             now=TaskSnapshot.of(task, assignees, []))
    return task


async def add_decision(ctx: Context, input: AddMeetingDecisionInput) -> AddMeetingDecisionPayload:
    async def work() -> AddMeetingDecisionPayload:
        user = ctx.require_writer()
        event = await readable_meeting(ctx, input.event_id)
        kind = DecisionKind(input.kind)
        text = v.text(input.text, "input.text", max_length=5000)
        assignee = await pf.reference(ctx, input.assignee_id, "User", "input.assigneeId")
        if kind == DecisionKind.DECISION and (assignee is not None or input.due_on is not None):
            raise validation("Only an action item has an assignee and a due day.", "input.kind")
        decision = MeetingDecision(event_id=event.id, kind=kind, text=text, assignee_id=assignee,
                                   due_on=pf.day(input.due_on, "input.dueOn"), created_by_id=user.id)
        ctx.session.add(decision)
        await ctx.session.flush()
        task = await action_item_task(ctx, event, decision, user.id) if kind == DecisionKind.ACTION_ITEM else None
        decision.task_id = task.id if task else None
        await ctx.session.flush()
        await record_change(ctx.session, "MeetingDecision", decision.id, ChangeOp.CREATED,
                            {"event_id": event.id, "kind": kind.value}, actor_id=user.id)
        record_audit(ctx.session, actor_id=user.id, action="add_decision", entity_type="Event", entity_id=event.id,
                     after={"kind": kind.value, "task_id": decision.task_id})
        await ctx.commit()
        if task is not None:
            await notify_if_assigned(ctx, task.id, [], [assignee] if assignee else [])
        return AddMeetingDecisionPayload(decision=MeetingDecisionType.from_model(decision),
                                         task=TaskType.from_model(task) if task else None, errors=[])

    return await run_mutation(ctx, work,
                              lambda errors: AddMeetingDecisionPayload(decision=None, task=None, errors=errors))
