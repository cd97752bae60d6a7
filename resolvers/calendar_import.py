"""iCalendar import (``importCalendar`` and ``almanac ics import FILE``): parse, then store by UID.

Parsing is CPU work bounded by the parser's caps (bytes, events, time) and runs on a
worker thread so the event loop keeps serving. A file with more than
``INLINE_MAX_EVENTS`` events is stored by the ``import_calendar_file`` job instead,
whose progress the client follows through ``calendarImport(id)``.
"""
from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CalendarImport, User
from db.queries.calendar_import import ImportReport, import_owner, store_series, zone_of
from db.queries.logs import record_audit
from db.rules.icalendar_import import (
    MAX_EVENTS,
    MAX_ICS_BYTES,
    ImportProblem,
    count_events,
    parse_calendar,
)
from jobs.calendar_import import INLINE_MAX_EVENTS
from jobs.queue import enqueue
from resolvers.mutation import database_user_error, run_mutation, validation
from schema.calendar.import_types import CalendarImportType
from schema.calendar.inputs import ImportCalendarInput
from schema.calendar.payloads import CalendarImportProblemType, ImportCalendarPayload
from server.context import Context


async def import_calendar(session: AsyncSession, data: bytes | str, owner: User, *, office_zone: str = "UTC") -> ImportReport:
    """Import every series of ``data``; the caller commits."""
    parsed = await asyncio.to_thread(parse_calendar, data, default_timezone=zone_of(owner, office_zone))
    report = ImportReport(problems=list(parsed.problems))
    await store_series(session, parsed.series, owner, report, db_reason)
    record_audit(session, actor_id=owner.id, action="import_ics", entity_type="Event", entity_id=0,
                 after={"created": report.created, "updated": report.updated, "skipped": report.skipped,
                        "problems": len(report.problems)})
    return report


def db_reason(error: DBAPIError) -> str:
    return database_user_error(error).message


async def import_ics_file(session: AsyncSession, path: Path, owner_email: str | None = None, *,
                          office_zone: str = "UTC") -> ImportReport:
    """``almanac ics import FILE``: import and commit; the report says what happened."""
    try:
        data = await asyncio.to_thread(Path(path).read_bytes)
        owner = await import_owner(session, owner_email)
    except (OSError, LookupError) as error:
        return ImportReport(problems=[ImportProblem("file", str(error))])
    report = await import_calendar(session, data, owner, office_zone=office_zone)
    await session.commit()
    return report


async def import_calendar_mutation(ctx: Context, input: ImportCalendarInput) -> ImportCalendarPayload:
    """``importCalendar(input: {ics})`` for the signed-in user (who owns the created events)."""
    async def work() -> ImportCalendarPayload:
        user = ctx.require_writer()
        data = input.ics.encode()
        if len(data) > MAX_ICS_BYTES:
            raise validation(f"At most {MAX_ICS_BYTES} bytes.", "input.ics")
        events = count_events(data)
        if events > MAX_EVENTS:
            raise validation(f"{events} events, more than {MAX_EVENTS} in one import: split the file.", "input.ics")
        if events > INLINE_MAX_EVENTS:
            return await queue_import(ctx, user, input.ics, events)
        report = await import_calendar(ctx.session, input.ics, user, office_zone=ctx.settings.organisation_timezone)
        await ctx.commit()
        return ImportCalendarPayload(
            created=report.created, updated=report.updated, skipped=report.skipped,
            problems=[CalendarImportProblemType(uid=p.ref, reason=p.reason) for p in report.problems], errors=[],
        )

    return await run_mutation(
        ctx, work, lambda errors: ImportCalendarPayload(created=0, updated=0, skipped=0, problems=[], errors=errors)
    )


async def queue_import(ctx: Context, user: User, ics: str, events: int) -> ImportCalendarPayload:
    """Store the file on a ``calendar_imports`` row and let the job import it in chunks."""
    job = CalendarImport(owner_id=user.id, status="QUEUED", data=ics, total=events, problems=[])
    ctx.session.add(job)
    await ctx.session.flush()
    await ctx.session.refresh(job)
    payload = CalendarImportType.from_model(job)
    await ctx.commit()
    await enqueue(ctx, "import_calendar_file", job.id)
    return ImportCalendarPayload(created=0, updated=0, skipped=0, problems=[], errors=[], calendar_import=payload)
