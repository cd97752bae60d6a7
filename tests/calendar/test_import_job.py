"""Issue 11 hole 3: a large import is queued and stored by a job in chunks, with progress the
importer can follow; caps refuse what is too large at once. (The old mutation parsed and
stored 30,000 VEVENTs on the event loop for 222 s.)"""
from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.rules.icalendar_import import MAX_EVENTS
from jobs.calendar_import import CHUNK, INLINE_MAX_EVENTS, import_calendar_file
from schema.core.ids import decode_id
from server.settings import Settings
from tests.conftest import GraphQL, UserFactory

IMPORT = """
mutation I($ics: String!) {
  importCalendar(input: {ics: $ics}) {
    created problems { uid reason } errors { code field message }
    calendarImport { id status total processed created }
  }
}
"""
PROGRESS = """
query P($id: ID!) { calendarImport(id: $id) { status total processed created updated skipped problems { uid } } }
"""
WINDOW = """
{ calendar(start: "2026-01-01T00:00:00Z", end: "2026-12-31T00:00:00Z") { entries { title } } }
"""


def many_events(count: int, *, broken: int = 0) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN"]
    for i in range(count):
        day = 1 + i % 28
        end = "20260101T080000Z" if i < broken else f"202602{day:02d}T100000Z"
        lines += ["BEGIN:VEVENT", f"UID:bulk-{i}@test", f"SUMMARY:Bulk {i}",
                  f"DTSTART:202602{day:02d}T090000Z", f"DTEND:{end}", "END:VEVENT"]
    return "\r\n".join([*lines, "END:VCALENDAR", ""])


async def test_a_large_import_is_queued_and_its_progress_can_be_followed(
    gql: GraphQL, make_user: UserFactory, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings,
) -> None:
    user, stranger = await make_user(), await make_user()
    count = max(INLINE_MAX_EVENTS, CHUNK) + 25

    queued = (await gql(IMPORT, {"ics": many_events(count, broken=2)}, user=user))["data"]["importCalendar"]
    job = queued["calendarImport"]
    before = (await gql(PROGRESS, {"id": job["id"]}, user=user))["data"]["calendarImport"]
    status = await import_calendar_file({"sessionmaker": sessionmaker, "settings": settings},
                                        decode_id(job["id"], "CalendarImport", field="id"))
    after = (await gql(PROGRESS, {"id": job["id"]}, user=user))["data"]["calendarImport"]
    hidden = (await gql(PROGRESS, {"id": job["id"]}, user=stranger))["data"]["calendarImport"]
    entries = (await gql(WINDOW, user=user))["data"]["calendar"]["entries"]

    assert queued["created"] == 0 and queued["errors"] == []
    assert {k: job[k] for k in ("status", "total", "processed")} == {"status": "QUEUED", "total": count, "processed": 0}
    assert before["status"] == "QUEUED"
    assert status == "DONE"
    assert after == {"status": "DONE", "total": count, "processed": count - 2, "created": count - 2, "updated": 0,
                     "skipped": 0, "problems": [{"uid": "bulk-0@test"}, {"uid": "bulk-1@test"}]}
    assert hidden is None  # only the importer follows an import
    assert len(entries) == count - 2


async def test_a_rerun_of_a_finished_import_does_nothing(
    gql: GraphQL, make_user: UserFactory, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings,
) -> None:
    user = await make_user()
    job = (await gql(IMPORT, {"ics": many_events(INLINE_MAX_EVENTS + 1)}, user=user))["data"]["importCalendar"]
    ctx: dict[str, Any] = {"sessionmaker": sessionmaker, "settings": settings}
    pk = decode_id(job["calendarImport"]["id"], "CalendarImport", field="id")

    assert await import_calendar_file(ctx, pk) == "DONE"
    assert await import_calendar_file(ctx, pk) == "DONE"
    assert len((await gql(WINDOW, user=user))["data"]["calendar"]["entries"]) == INLINE_MAX_EVENTS + 1


async def test_a_small_import_answers_at_once_and_too_many_events_are_refused(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()

    small = (await gql(IMPORT, {"ics": many_events(3)}, user=user))["data"]["importCalendar"]
    huge = (await gql(IMPORT, {"ics": many_events(MAX_EVENTS + 1)}, user=user))["data"]["importCalendar"]

    assert (small["created"], small["calendarImport"]) == (3, None)
    assert huge["errors"] == [{"code": "VALIDATION", "field": "input.ics",
                               "message": f"{MAX_EVENTS + 1} events, more than {MAX_EVENTS} in one import: split the file."}]
