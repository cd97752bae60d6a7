"""Scheduled scans: tasks due soon or overdue, PPAs at risk.

Every notice is keyed by what it is about (task and due time, milestone and due
date, PPA and its stage entry), so a scan that runs twice adds nothing; the
overdue notice is also marked on the task (``overdue_notified_at``), claimed
with SKIP LOCKED so concurrent scans split the work.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import PpaStage, PpaStatus, TaskStatus
from db.models import Ppa, PpaMilestone, Task, TaskAssignee
from db.queries.notification import NewNotification, insert_notifications
from db.queries.portfolio import DEFAULT_STALLED_AFTER_DAYS
from jobs.context import JobCtx, now, sessionmaker_of
from jobs.retry import retry_transient

DUE_SOON = timedelta(hours=24)
CLOSED_TASK = (TaskStatus.DONE, TaskStatus.CANCELLED)


async def task_recipients(session: AsyncSession, tasks: Sequence[Task]) -> dict[int, list[int]]:
    """Assignees per task; the creator when nobody is assigned."""
    found: dict[int, list[int]] = {t.id: [] for t in tasks}
    rows = await session.execute(
        select(TaskAssignee.task_id, TaskAssignee.user_id).where(TaskAssignee.task_id.in_(list(found)))
    )
    for task_id, user_id in rows:
        found[task_id].append(user_id)
    for task in tasks:
        if not found[task.id] and task.created_by_id is not None:
            found[task.id].append(task.created_by_id)
    return found


def task_notices(tasks: Sequence[Task], recipients: dict[int, list[int]], kind: str, moment: datetime) -> list[NewNotification]:
    notices = []
    for task in tasks:
        assert task.due_at is not None
        due = task.due_at.isoformat()
        title = f"Due soon: {task.title}" if kind == "task_due_soon" else f"Overdue: {task.title}"
        for user_id in recipients[task.id]:
            notices.append(NewNotification(
                user_id=user_id, kind=kind, title=title, body=f"{task.title} is due {due}.",
                dedupe_key=f"{kind}:{task.id}:{due}:{user_id}", deliver_at=moment,
                subject_type="Task", subject_id=task.id, payload={"task_id": task.id, "due_at": due},
            ))
    return notices


@retry_transient
async def scan_due_and_overdue_tasks(ctx: JobCtx) -> int:
    """Notices for open tasks due within a day, and one overdue notice per task."""
    moment = now(ctx)
    async with sessionmaker_of(ctx)() as session, session.begin():
        due_soon = list(await session.scalars(
            select(Task).where(Task.status.not_in(CLOSED_TASK), Task.due_at > moment,
                               Task.due_at <= moment + DUE_SOON)
        ))
        claim = (
            select(Task.id)
            .where(Task.status.not_in(CLOSED_TASK), Task.due_at <= moment, Task.overdue_notified_at.is_(None))
            .with_for_update(skip_locked=True)
        )
        overdue = list(await session.scalars(
            update(Task).where(Task.id.in_(claim.scalar_subquery())).values(overdue_notified_at=moment)
            .returning(Task).execution_options(synchronize_session=False)
        ))
        recipients = await task_recipients(session, due_soon + overdue)
        notices = task_notices(due_soon, recipients, "task_due_soon", moment)
        notices += task_notices(overdue, recipients, "task_overdue", moment)
        return len(await insert_notifications(session, notices))


@retry_transient
async def alert_ppas_at_risk(ctx: JobCtx) -> int:
    """Owners hear about overdue milestones and stages stalled for too long (ACTIVE PPAs)."""
    moment = now(ctx)
    stalled_before = moment - timedelta(days=DEFAULT_STALLED_AFTER_DAYS)
    async with sessionmaker_of(ctx)() as session, session.begin():
        milestones = (await session.execute(
            select(PpaMilestone, Ppa)
            .join(Ppa, Ppa.id == PpaMilestone.ppa_id)
            .where(Ppa.status == PpaStatus.ACTIVE, Ppa.owner_id.is_not(None),
                   PpaMilestone.completed_at.is_(None), PpaMilestone.due_on < moment.date())
        )).all()
        stalled = list(await session.scalars(
            select(Ppa).where(Ppa.status == PpaStatus.ACTIVE, Ppa.owner_id.is_not(None),
                              Ppa.stage != PpaStage.COMPLETED, Ppa.stage_entered_at < stalled_before)
        ))
        notices = [
            NewNotification(
                user_id=ppa.owner_id, kind="ppa_milestone_overdue",
                title=f"Milestone overdue: {milestone.title}",
                body=f"The milestone {milestone.title} of {ppa.title} was due {milestone.due_on.isoformat()}.",
                dedupe_key=f"ppa_milestone_overdue:{milestone.id}:{milestone.due_on.isoformat()}",
                deliver_at=moment, subject_type="Ppa", subject_id=ppa.id,
                payload={"ppa_id": ppa.id, "milestone_id": milestone.id},
            )
            for milestone, ppa in milestones
            if ppa.owner_id is not None
        ]
        notices += [
            NewNotification(
                user_id=ppa.owner_id, kind="ppa_stage_stalled", title=f"Stage stalled: {ppa.title}",
                body=f"{ppa.title} has been in {ppa.stage.value} since {ppa.stage_entered_at.date().isoformat()}.",
                dedupe_key=f"ppa_stage_stalled:{ppa.id}:{ppa.stage.value}:{ppa.stage_entered_at.isoformat()}",
                deliver_at=moment, subject_type="Ppa", subject_id=ppa.id,
                payload={"ppa_id": ppa.id, "stage": ppa.stage.value},
            )
            for ppa in stalled
            if ppa.owner_id is not None
        ]
        return len(await insert_notifications(session, notices))
