"""Scheduled scans: tasks due soon or overdue, PPAs at risk.

Every notice is keyed by what it is about (task and due time, milestone and due
date, PPA and its stage entry), so a scan that runs twice adds nothing; the
overdue notice is also marked on the task (``overdue_notified_at``), claimed
with SKIP LOCKED so concurrent scans split the work. Task scans run in bounded
batches (see ``db.queries.task_notices``).
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from db.enums import PpaStage, PpaStatus
from db.models import Ppa, PpaMilestone
from db.queries.notification import NewNotification, insert_notifications
from db.queries.portfolio import DEFAULT_STALLED_AFTER_DAYS
from db.queries.task_notices import notify_due_soon_batch, notify_overdue_batch
from jobs.context import JobCtx, now, sessionmaker_of
from jobs.retry import retry_transient

DUE_SOON = timedelta(hours=24)
BATCH_SIZE = 1000  # tasks per statement


@retry_transient
async def scan_due_and_overdue_tasks(ctx: JobCtx) -> int:
    """Notices for open tasks due within a day, and one overdue notice per task.

    A cursor walks the tasks in id order, ``BATCH_SIZE`` at a time, each batch
    one statement in its own short transaction: memory, statement size and lock
    time stay bounded however many tasks are due, and a run that stops halfway
    loses nothing (the next run's inserts skip what exists by dedupe key).
    """
    moment = now(ctx)
    inserted = 0
    after = 0
    while True:
        async with sessionmaker_of(ctx)() as session, session.begin():
            batch = await notify_due_soon_batch(session, moment=moment, until=moment + DUE_SOON,
                                                after=after, size=BATCH_SIZE)
        inserted += batch.inserted
        if batch.last_id is None:
            break
        after = batch.last_id
    after = 0
    while True:
        async with sessionmaker_of(ctx)() as session, session.begin():
            batch = await notify_overdue_batch(session, moment=moment, after=after, size=BATCH_SIZE)
        inserted += batch.inserted
        if batch.last_id is None:
            break
        after = batch.last_id
    return inserted


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
