"""A large iCalendar import, stored in chunks with its progress on the ``calendar_imports`` row.

``importCalendar`` queues files with more than ``INLINE_MAX_EVENTS`` events here so the
request answers at once; the client follows ``calendarImport(id) { status processed total }``.
Parsing runs on a worker thread (bounded by the parser's caps); each chunk of
``CHUNK`` series is its own transaction, so progress is visible while it runs and other
requests are never held behind one long transaction.
"""
from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.exc import DBAPIError

from db.models import CalendarImport, User
from db.queries.calendar_import import ImportReport, store_series, zone_of
from db.queries.logs import record_audit
from db.rules.icalendar_import import ImportResult, parse_calendar
from jobs.context import JobCtx, now, sessionmaker_of

INLINE_MAX_EVENTS = 200  # about a second of storing; larger files are queued
CHUNK = 100  # series per transaction
MAX_STORED_PROBLEMS = 1000


async def import_calendar_file(ctx: JobCtx, import_id: int) -> str:
    """Run the queued import ``import_id``; returns its final status."""
    maker = sessionmaker_of(ctx)
    async with maker() as session, session.begin():
        job = await session.get(CalendarImport, import_id, with_for_update=True)
        if job is None or job.status != "QUEUED" or job.data is None:
            return job.status if job is not None else "MISSING"
        owner = await session.get(User, job.owner_id)
        if owner is None:
            return _finish(job, ctx, "FAILED", [{"uid": "calendar", "reason": "the importing user is gone"}])
        job.status = "RUNNING"
        data, owner_id = job.data, owner.id
        office = str(getattr(ctx.get("settings"), "organisation_timezone", None) or "UTC")
        zone = zone_of(owner, office)
    parsed: ImportResult = await asyncio.to_thread(parse_calendar, data, default_timezone=zone)
    report = ImportReport(problems=list(parsed.problems))
    for first in range(0, len(parsed.series), CHUNK):
        async with maker() as session, session.begin():
            owner = await session.get(User, owner_id)
            assert owner is not None
            await store_series(session, parsed.series[first:first + CHUNK], owner, report, _reason)
            job = await session.get(CalendarImport, import_id, with_for_update=True)
            assert job is not None
            _progress(job, report, min(first + CHUNK, len(parsed.series)))
    async with maker() as session, session.begin():
        job = await session.get(CalendarImport, import_id, with_for_update=True)
        assert job is not None
        failed = not parsed.series and bool(parsed.problems)
        record_audit(session, actor_id=owner_id, action="import_ics", entity_type="CalendarImport",
                     entity_id=import_id, after={"created": report.created, "updated": report.updated,
                                                 "skipped": report.skipped, "problems": len(report.problems)})
        _progress(job, report, len(parsed.series))
        return _finish(job, ctx, "FAILED" if failed else "DONE", _problems(report))


def _progress(job: CalendarImport, report: ImportReport, processed: int) -> None:
    job.processed = processed
    job.created, job.updated, job.skipped = report.created, report.updated, report.skipped
    job.problems = _problems(report)


def _problems(report: ImportReport) -> list[dict[str, Any]]:
    return [{"uid": p.ref, "reason": p.reason} for p in report.problems[:MAX_STORED_PROBLEMS]]


def _finish(job: CalendarImport, ctx: JobCtx, status: str, problems: list[dict[str, Any]]) -> str:
    job.status, job.problems, job.data, job.finished_at = status, problems, None, now(ctx)
    return status


def _reason(error: DBAPIError) -> str:
    state = getattr(getattr(error, "orig", None), "sqlstate", None)
    return f"the row was refused (SQLSTATE {state})" if state else "the row was refused"
