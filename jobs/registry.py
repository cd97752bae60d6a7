"""Every job function by name: the arq worker and the in-process queue share it."""
from __future__ import annotations

from arq.typing import WorkerCoroutine

from jobs.attachments import delete_attachment_files, sweep_orphan_files
from jobs.calendar_import import import_calendar_file
from jobs.dashboard import snapshot_dashboard
from jobs.decisions import notify_booking_decision, notify_budget_decision, notify_task_assigned
from jobs.dispatch import dispatch_due_notifications
from jobs.prune_change_log import prune_change_log
from jobs.quarterly import schedule_quarterly_meetings
from jobs.reminders import refresh_event_reminders, schedule_event_reminders
from jobs.reports import generate_quarterly_report
from jobs.scans import alert_ppas_at_risk, scan_due_and_overdue_tasks
from jobs.shared_calendars import notify_calendar_followers
from jobs.webhooks import deliver_webhooks

JOBS: dict[str, WorkerCoroutine] = {
    "schedule_event_reminders": schedule_event_reminders,
    "refresh_event_reminders": refresh_event_reminders,
    "dispatch_due_notifications": dispatch_due_notifications,
    "notify_booking_decision": notify_booking_decision,
    "notify_budget_decision": notify_budget_decision,
    "notify_task_assigned": notify_task_assigned,
    "scan_due_and_overdue_tasks": scan_due_and_overdue_tasks,
    "alert_ppas_at_risk": alert_ppas_at_risk,
    "schedule_quarterly_meetings": schedule_quarterly_meetings,
    "prune_change_log": prune_change_log,
    "notify_calendar_followers": notify_calendar_followers,
    "deliver_webhooks": deliver_webhooks,
    "import_calendar_file": import_calendar_file,
    "delete_attachment_files": delete_attachment_files,
    "sweep_orphan_files": sweep_orphan_files,
    "snapshot_dashboard": snapshot_dashboard,
    "generate_quarterly_report": generate_quarterly_report,
}
