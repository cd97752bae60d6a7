"""Jobs through a real Redis and arq burst workers; and the in-process path without Redis."""
from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from arq import Retry
from arq.cron import cron
from sqlalchemy import delete

from db.enums import DeliveryStatus
from db.models import Event, Task, TaskAssignee
from jobs.queue import InProcessJobQueue
from jobs.runtime import start_jobs
from jobs.schedule import cron_jobs
from jobs.timer import CronTimer
from server.settings import Settings
from tests.jobs.conftest import Clock, Scratch, Smtp
from tests.jobs.helpers import due_notifications, notifications_of


async def test_burst_worker_schedules_and_sends_a_reminder(scratch: Scratch, arq_queue, smtp: Smtp, clock: Clock) -> None:
    pool, run_burst = arq_queue
    owner = await scratch.user()
    meeting = Event(uid=f"{uuid.uuid4()}@test", title="Standup", starts_at=clock.now + timedelta(minutes=20),
                    ends_at=clock.now + timedelta(minutes=50), series_ends_at=clock.now + timedelta(minutes=50),
                    owner_id=owner.id, reminders=[30])
    await scratch.add(meeting)
    # the 30-minute reminder is already due: it is created now and sent by the next dispatch
    await pool.enqueue_job("schedule_event_reminders", meeting.id)
    await pool.enqueue_job("schedule_event_reminders", meeting.id)  # arq may run a job twice
    worker = await run_burst()
    assert (worker.jobs_complete, worker.jobs_failed) == (2, 0)
    await pool.enqueue_job("dispatch_due_notifications")
    await run_burst()
    [row] = await notifications_of(scratch.maker, owner.id)
    assert (row.kind, row.email_status, row.attempts) == ("event_reminder", DeliveryStatus.SENT, 1)
    [message] = smtp.sink.messages
    assert (message["To"], message["Subject"]) == (owner.email, "Reminder: Standup")
    # the reminder was due 10 minutes ago: it says how long until the start really is
    assert "starts in 20 minutes" in message.get_payload()


async def test_two_burst_workers_racing_send_each_notification_once(scratch: Scratch, arq_queue, smtp: Smtp, clock: Clock) -> None:
    pool, run_burst = arq_queue
    user = await scratch.user()
    await due_notifications(scratch.maker, user.id, clock.now, count=60)
    for _ in range(6):
        await pool.enqueue_job("dispatch_due_notifications")
    await asyncio.gather(run_burst(), run_burst())
    assert len(smtp.sink.messages) == 60
    assert len({m["Message-ID"] for m in smtp.sink.messages}) == 60
    assert {r.email_status for r in await notifications_of(scratch.maker, user.id)} == {DeliveryStatus.SENT}


async def test_transient_failure_is_retried_by_arq(scratch: Scratch, arq_queue, job_ctx, monkeypatch: pytest.MonkeyPatch) -> None:
    pool, run_burst = arq_queue
    monkeypatch.setattr("jobs.retry.backoff_seconds", lambda job_try: 0.05)
    user = await scratch.user()
    task = Task(title="Check the generator", created_by_id=user.id)
    await scratch.add(task)
    await scratch.add(TaskAssignee(task_id=task.id, user_id=user.id))
    real = job_ctx["sessionmaker"]
    calls: list[int] = []

    def flaky() -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionRefusedError("database restarting")
        return real()

    job_ctx["sessionmaker"] = flaky  # the worker fixture copies job_ctx when it starts
    try:
        await pool.enqueue_job("notify_task_assigned", task.id)
        worker = await run_burst()
        assert (worker.jobs_retried, worker.jobs_complete, worker.jobs_failed) == (1, 1, 0)
        [row] = await notifications_of(scratch.maker, user.id)
        assert (row.kind, row.dedupe_key) == ("task_assigned", f"task-assigned:{task.id}:{user.id}")
    finally:
        async with real() as session:
            await session.execute(delete(Task).where(Task.id == task.id))
            await session.commit()


async def test_without_redis_jobs_run_in_process(scratch: Scratch, committed_sessionmaker, smtp: Smtp) -> None:
    settings = Settings(REDIS_URL=None, SMTP_URL=f"smtp://127.0.0.1:{smtp.port}?starttls=false",
                        ALMANAC_MAIL_FROM="almanac@test.example")
    runtime = await start_jobs(settings, committed_sessionmaker)
    assert runtime.timer is not None
    await runtime.timer.stop()  # its startup jobs would touch every committed row; run one job by hand below
    user = await scratch.user()
    task = Task(title="Order chairs", created_by_id=user.id)
    await scratch.add(task)
    await scratch.add(TaskAssignee(task_id=task.id, user_id=user.id))
    try:
        assert isinstance(runtime.queue, InProcessJobQueue)
        await runtime.queue.enqueue("notify_task_assigned", task.id)
        await runtime.queue.drain()
        [row] = await notifications_of(scratch.maker, user.id)
        assert (row.kind, row.email_status) == ("task_assigned", DeliveryStatus.PENDING)
        # the timer runs the cron schedule's dispatch job with the same context
        timer = CronTimer(runtime.queue.ctx, [j for j in cron_jobs() if j.name == "dispatch_due_notifications"])
        timer.jobs[0].next_run = datetime.now()
        assert await timer.run_due(datetime.now()) == ["dispatch_due_notifications"]
        [row] = await notifications_of(scratch.maker, user.id)
        assert row.email_status == DeliveryStatus.SENT
        assert [m["Subject"] for m in smtp.sink.messages] == ["Assigned to you: Order chairs"]
    finally:
        await runtime.stop()
        async with committed_sessionmaker() as session:
            await session.execute(delete(Task).where(Task.id == task.id))
            await session.commit()


async def test_the_in_process_cron_timer_retries_a_job_that_raises_arq_retry() -> None:
    # given a cron job that fails transiently once (as retry_transient signals it)
    tries: list[int] = []

    async def flaky(ctx: dict[str, Any]) -> None:
        tries.append(ctx["job_try"])
        if len(tries) == 1:
            raise Retry(defer=0.01)

    job = cron(flaky, name="flaky", minute=None)
    timer = CronTimer({}, [job])
    job.next_run = datetime.now()

    # when the timer runs it
    assert await timer.run_due(datetime.now()) == ["flaky"]

    # then it was retried like arq would, with the try counter advanced
    assert tries == [1, 2]
