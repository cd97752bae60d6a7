"""generate_quarterly_report: assemble the quarter, render CSV, XLSX and HTML, store them,
and tell the requester and the MAO's leads (a notification each) that it is ready.

Idempotent: running twice renders and stores the same report again; the notification is
keyed by report and generation, so a rerun of the same generation adds none."""
from __future__ import annotations

from sqlalchemy import select

from db.enums import TeamRole
from db.models import QuarterlyReport, TeamMembership
from db.models.meeting import ReportStatus
from db.queries.notification import NewNotification, insert_notifications
from db.queries.quarterly_report import assemble
from db.rules.quarters import Quarter
from db.rules.report_formats import title, to_csv, to_html, to_xlsx
from jobs.context import JobCtx, now, sessionmaker_of
from jobs.retry import retry_transient

KIND = "quarterly_report_ready"


@retry_transient
async def generate_quarterly_report(ctx: JobCtx, report_id: int) -> str:
    """The report's status after the run (READY, FAILED, or "missing")."""
    moment = now(ctx)
    async with sessionmaker_of(ctx)() as session, session.begin():
        report = await session.get(QuarterlyReport, report_id, with_for_update=True)
        if report is None:
            return "missing"
        data = await assemble(session, report.team_id, Quarter(report.fiscal_year, report.quarter), viewer=None)
        if data is None:
            report.status, report.error = ReportStatus.FAILED, "The team no longer exists."
            return report.status.value
        report.csv, report.html, report.xlsx = to_csv(data), to_html(data), to_xlsx(data)
        report.status, report.error, report.generated_at = ReportStatus.READY, None, moment
        leads = set(await session.scalars(select(TeamMembership.user_id).where(
            TeamMembership.team_id == report.team_id, TeamMembership.role == TeamRole.LEAD)))
        recipients = sorted(leads | ({report.requested_by_id} if report.requested_by_id else set()))
        await insert_notifications(session, [
            NewNotification(user_id=user_id, kind=KIND, title=f"Report ready: {title(data)}"[:300],
                            body=f"{title(data)} is ready as CSV, XLSX and printable HTML.",
                            dedupe_key=f"{KIND}:{report.id}:{moment.isoformat()}:{user_id}", deliver_at=moment,
                            subject_type="QuarterlyReport", subject_id=report.id,
                            payload={"report_id": report.id, "team_id": report.team_id})
            for user_id in recipients
        ])
        return report.status.value
