"""When the scheduled jobs run: arq cron jobs, shared by the worker and the in-process timer."""
from __future__ import annotations

from dataclasses import dataclass

from arq.cron import CronJob, cron

from jobs.registry import JOBS

EVERY_MINUTE: set[int] = set(range(60))


@dataclass(frozen=True, slots=True)
class Schedule:
    job: str
    hour: int | set[int] | None = None
    minute: int | set[int] | None = None
    run_at_startup: bool = False


SCHEDULES = (
    Schedule("dispatch_due_notifications", minute=EVERY_MINUTE),
    Schedule("scan_due_and_overdue_tasks", minute={0, 15, 30, 45}),
    Schedule("refresh_event_reminders", minute=5, run_at_startup=True),
    Schedule("alert_ppas_at_risk", hour=6, minute=0),
    Schedule("schedule_quarterly_meetings", hour=2, minute=30, run_at_startup=True),
    Schedule("prune_change_log", hour=3, minute=15),
    Schedule("deliver_webhooks", minute=EVERY_MINUTE),
    Schedule("sweep_orphan_files", minute=45),
    Schedule("snapshot_dashboard", hour=23, minute=50),
)


def cron_jobs() -> list[CronJob]:
    """One arq cron job per schedule whose job is registered (unique across workers)."""
    return [
        cron(JOBS[s.job], name=s.job, hour=s.hour, minute=s.minute, run_at_startup=s.run_at_startup,
             unique=True, max_tries=3)
        for s in SCHEDULES
        if s.job in JOBS
    ]
