"""importCalendar / import_ics_file: create or update by UID, idempotent, per-component errors."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from db.enums import Role
from db.models import Event, EventOverride
from resolvers.calendar_import import import_ics_file
from tests.conftest import GraphQL, UserFactory

IMPORT = """
mutation I($ics: String!) {
  importCalendar(input: {ics: $ics}) { created updated skipped problems { uid reason } errors { code message } }
}
"""
CALENDAR = """
query C { calendar(start: "2026-03-01T00:00:00Z", end: "2026-04-01T00:00:00Z") {
  entries { title start recurrenceId allDay timezone } } }
"""


def ics(*, sequence: int = 0, title: str = "Standup") -> str:
    return "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN",
        "BEGIN:VEVENT", "UID:weekly-1@test", f"SEQUENCE:{sequence}", f"SUMMARY:{title}",
        "DTSTART;TZID=America/New_York:20260302T090000", "DTEND;TZID=America/New_York:20260302T093000",
        "RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE;TZID=America/New_York:20260309T090000", "END:VEVENT",
        "BEGIN:VEVENT", "UID:weekly-1@test", f"SEQUENCE:{sequence}", "SUMMARY:Moved standup",
        "RECURRENCE-ID;TZID=America/New_York:20260316T090000",
        "DTSTART;TZID=America/New_York:20260317T100000", "DTEND;TZID=America/New_York:20260317T103000", "END:VEVENT",
        "BEGIN:VEVENT", "UID:holiday@test", "SUMMARY:Holiday", "DTSTART;VALUE=DATE:20260320",
        "DTEND;VALUE=DATE:20260321", "END:VEVENT",
        "BEGIN:VEVENT", "UID:broken@test", "SUMMARY:Broken", "DTSTART:20260310T100000Z", "DTEND:20260310T090000Z",
        "END:VEVENT",
        "BEGIN:VTODO", "UID:todo@test", "SUMMARY:A todo", "END:VTODO",
        "END:VCALENDAR", "",
    ])


async def test_import_keeps_rules_overrides_and_zones_and_reports_problems(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()

    body = await gql(IMPORT, {"ics": ics()}, user=user)
    entries = (await gql(CALENDAR, user=user))["data"]["calendar"]["entries"]

    assert body["data"]["importCalendar"] == {
        "created": 2, "updated": 0, "skipped": 0, "errors": [],
        "problems": [
            {"uid": "todo@test", "reason": "VTODO skipped: Almanac imports events only"},
            {"uid": "broken@test", "reason": "DTEND 2026-03-10T09:00:00+00:00 is before DTSTART 2026-03-10T10:00:00+00:00"},
        ],
    }
    assert entries == [
        {"title": "Standup", "start": "2026-03-02T14:00:00+00:00", "recurrenceId": "2026-03-02T14:00:00+00:00",
         "allDay": False, "timezone": "America/New_York"},
        {"title": "Moved standup", "start": "2026-03-17T14:00:00+00:00", "recurrenceId": "2026-03-16T13:00:00+00:00",
         "allDay": False, "timezone": "America/New_York"},
        {"title": "Holiday", "start": "2026-03-20T00:00:00+00:00", "recurrenceId": None, "allDay": True,
         "timezone": "UTC"},
        {"title": "Standup", "start": "2026-03-23T13:00:00+00:00", "recurrenceId": "2026-03-23T13:00:00+00:00",
         "allDay": False, "timezone": "America/New_York"},
    ]


async def test_reimport_is_idempotent_and_sequence_decides(gql: GraphQL, make_user: UserFactory, session) -> None:
    user = await make_user()
    first = await gql(IMPORT, {"ics": ics()}, user=user)
    count_after_first = await session.scalar(select(func.count()).select_from(Event))

    again = await gql(IMPORT, {"ics": ics()}, user=user)
    newer = await gql(IMPORT, {"ics": ics(sequence=2, title="Daily sync")}, user=user)
    older = await gql(IMPORT, {"ics": ics(sequence=1, title="Stale title")}, user=user)

    counts = [{k: v for k, v in r["data"]["importCalendar"].items() if k in ("created", "updated", "skipped")}
              for r in (first, again, newer, older)]
    assert counts == [
        {"created": 2, "updated": 0, "skipped": 0},
        {"created": 0, "updated": 0, "skipped": 2},
        {"created": 0, "updated": 1, "skipped": 1},
        {"created": 0, "updated": 0, "skipped": 2},
    ]
    assert await session.scalar(select(func.count()).select_from(Event)) == count_after_first == 2
    assert await session.scalar(select(func.count()).select_from(EventOverride)) == 1
    titles = sorted((await session.scalars(select(Event.title))).all())
    assert titles == ["Daily sync", "Holiday"]


async def test_uid_of_another_users_event_is_not_taken_over(gql: GraphQL, make_user: UserFactory, session) -> None:
    first = await make_user(Role.STAFF)
    await gql(IMPORT, {"ics": ics()}, user=first)

    body = await gql(IMPORT, {"ics": ics(sequence=5, title="Hijack")}, user=await make_user(Role.STAFF))

    # the second importer gets their own copy, answered exactly as for a UID nobody holds
    result = body["data"]["importCalendar"]
    assert (result["created"], result["updated"], result["skipped"]) == (2, 0, 0)
    titles = (await session.execute(
        select(Event.title).where(Event.uid == "weekly-1@test", Event.owner_id == first.id))).scalars().all()
    assert titles == ["Standup"]


async def test_import_ics_file_for_the_cli(session, make_user: UserFactory, tmp_path: Path) -> None:
    admin = await make_user(Role.ADMIN)
    good, bad = tmp_path / "good.ics", tmp_path / "bad.ics"
    good.write_text(ics())
    bad.write_text("this is not a calendar")

    report = await import_ics_file(session, good, owner_email=admin.email)
    failed = await import_ics_file(session, bad, owner_email=admin.email)
    missing = await import_ics_file(session, tmp_path / "nope.ics", owner_email=admin.email)

    assert (report.created, report.updated, report.skipped, report.failed) == (2, 0, 0, False)
    assert str(report).splitlines()[0] == "imported: 2 created, 0 updated, 0 skipped, 2 problem(s)"
    assert failed.failed and failed.problems[0].ref == "calendar"
    assert missing.failed and "nope.ics" in missing.problems[0].reason
