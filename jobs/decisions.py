"""Notices about decisions and assignments; each is keyed so a rerun adds nothing."""
from __future__ import annotations

from sqlalchemy import select

from db.enums import BookingStatus
from db.models import Booking, Ppa, PpaTransition, Resource, Task, TaskAssignee
from db.queries.notification import NewNotification, insert_notifications
from jobs.context import JobCtx, now, sessionmaker_of
from jobs.retry import retry_transient

DECIDED = (BookingStatus.APPROVED, BookingStatus.REJECTED)


@retry_transient
async def notify_booking_decision(ctx: JobCtx, booking_id: int) -> int:
    """Tell the requester that their booking was approved or rejected."""
    async with sessionmaker_of(ctx)() as session, session.begin():
        booking = await session.get(Booking, booking_id)
        if booking is None or booking.status not in DECIDED or booking.requested_by_id is None:
            return 0
        resource = await session.get(Resource, booking.resource_id)
        name = resource.name if resource is not None else "a resource"
        verdict = booking.status.value.lower()
        note = f"\nNote: {booking.decision_note}" if booking.decision_note else ""
        notice = NewNotification(
            user_id=booking.requested_by_id, kind="booking_decision",
            title=f"Booking of {name} {verdict}",
            body=f"Your booking of {name} from {booking.starts_at.isoformat()} to "
                 f"{booking.ends_at.isoformat()} was {verdict}.{note}",
            dedupe_key=f"booking-decision:{booking.id}:{booking.status.value}",
            deliver_at=now(ctx), subject_type="Booking", subject_id=booking.id,
            payload={"booking_id": booking.id, "status": booking.status.value},
        )
        return len(await insert_notifications(session, [notice]))


@retry_transient
async def notify_budget_decision(ctx: JobCtx, ppa_id: int, transition_id: int) -> int:
    """Tell the PPA's owner about a budget decision (not the one who decided)."""
    async with sessionmaker_of(ctx)() as session, session.begin():
        ppa = await session.get(Ppa, ppa_id)
        transition = await session.get(PpaTransition, transition_id)
        if ppa is None or transition is None or transition.ppa_id != ppa.id or ppa.owner_id is None:
            return 0
        if ppa.owner_id == transition.actor_id:
            return 0
        decision = transition.decision.value.replace("_", " ").lower() if transition.decision else "decision"
        notice = NewNotification(
            user_id=ppa.owner_id, kind="budget_decision",
            title=f"Budget {decision}: {ppa.title}",
            body=f"The budget of {ppa.title} moved from {transition.from_stage or '-'} to "
                 f"{transition.to_stage} ({decision}).{f' Note: {transition.note}' if transition.note else ''}",
            dedupe_key=f"budget-decision:{transition.id}:{ppa.owner_id}",
            deliver_at=now(ctx), subject_type="Ppa", subject_id=ppa.id,
            payload={"ppa_id": ppa.id, "transition_id": transition.id,
                     "decision": transition.decision.value if transition.decision else None},
        )
        return len(await insert_notifications(session, [notice]))


@retry_transient
async def notify_task_assigned(ctx: JobCtx, task_id: int) -> int:
    """Tell each current assignee once per task (a later re-assignment is not repeated)."""
    async with sessionmaker_of(ctx)() as session, session.begin():
        task = await session.get(Task, task_id)
        if task is None:
            return 0
        assignees = list(await session.scalars(select(TaskAssignee.user_id).where(TaskAssignee.task_id == task_id)))
        due = f" It is due {task.due_at.isoformat()}." if task.due_at else ""
        notices = [
            NewNotification(
                user_id=user_id, kind="task_assigned", title=f"Assigned to you: {task.title}",
                body=f"You were assigned the task {task.title}.{due}",
                dedupe_key=f"task-assigned:{task.id}:{user_id}",
                deliver_at=now(ctx), subject_type="Task", subject_id=task.id,
                payload={"task_id": task.id},
            )
            for user_id in assignees
        ]
        return len(await insert_notifications(session, notices))
