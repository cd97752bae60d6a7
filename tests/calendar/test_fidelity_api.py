"""Issue 14 through the API: the repeated hour, RDATEs before DTSTART, Outlook's Windows zones,
floating times in the user's zone, CLASS, and issue 11's bounded rules on create."""
from __future__ import annotations

from datetime import UTC, datetime

import httpx
import icalendar

from tests.conftest import GraphQL, UserFactory, token_for

CREATE = """
mutation C($input: CreateEventInput!) {
  createEvent(input: $input) { event { id seriesEndsAt } errors { code field message } }
}
"""
UPDATE = """
mutation U($input: UpdateEventInput!) {
  updateEvent(input: $input) { override { recurrenceId start } errors { code field message } }
}
"""
DELETE = """
mutation D($input: DeleteEventInput!) { deleteEvent(input: $input) { errors { code field message } } }
"""
WINDOW = """
query W($start: DateTime!, $end: DateTime!) {
  calendar(start: $start, end: $end) { entries { id title start end recurrenceId } }
}
"""
IMPORT = """
mutation I($ics: String!) {
  importCalendar(input: {ics: $ics}) { created problems { uid reason } errors { code message } }
}
"""
SET_ZONE = """
mutation Z($tz: String) { setMyTimezone(input: {timezone: $tz}) { user { timezone } errors { code field message } } }
"""
EVENTS = "{ events(first: 10) { edges { node { title visibility timezone start } } } }"

FIRST_0130, SECOND_0130 = "2024-10-27T00:30:00+00:00", "2024-10-27T01:30:00+00:00"  # London, fall-back night


def london_rdates() -> dict[str, object]:
    return {"input": {
        "title": "Night shift", "start": "2024-10-20T01:30:00+01:00", "end": "2024-10-20T02:00:00+01:00",
        "timezone": "Europe/London", "rdates": [FIRST_0130, SECOND_0130],
    }}


async def night(gql: GraphQL, user: object) -> list[dict[str, str]]:
    body = await gql(WINDOW, {"start": "2024-10-26T12:00:00Z", "end": "2024-10-28T00:00:00Z"}, user=user)
    return [{k: e[k] for k in ("start", "end", "recurrenceId", "id")} for e in body["data"]["calendar"]["entries"]]


async def test_the_two_0130s_are_two_occurrences_and_end_the_series_at_the_later(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()

    created = (await gql(CREATE, london_rdates(), user=user))["data"]["createEvent"]

    assert created["errors"] == []
    assert created["event"]["seriesEndsAt"] == "2024-10-27T02:00:00+00:00"
    entries = await night(gql, user)
    assert [(e["start"], e["end"]) for e in entries] == [
        (FIRST_0130, "2024-10-27T01:00:00+00:00"), (SECOND_0130, "2024-10-27T02:00:00+00:00"),
    ]
    assert len({e["id"] for e in entries}) == 2


async def test_delete_this_on_the_second_0130_removes_exactly_that_occurrence(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()
    event_id = (await gql(CREATE, london_rdates(), user=user))["data"]["createEvent"]["event"]["id"]

    deleted = await gql(DELETE, {"input": {"id": event_id, "scope": "THIS", "occurrence": SECOND_0130}}, user=user)

    assert deleted["data"]["deleteEvent"]["errors"] == []
    assert [e["recurrenceId"] for e in await night(gql, user)] == [FIRST_0130]


async def test_update_this_on_the_second_0130_moves_it_once(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()
    event_id = (await gql(CREATE, london_rdates(), user=user))["data"]["createEvent"]["event"]["id"]

    moved = await gql(UPDATE, {"input": {"id": event_id, "scope": "THIS", "occurrence": SECOND_0130,
                                         "start": "2024-10-27T09:00:00Z"}}, user=user)

    assert moved["data"]["updateEvent"]["errors"] == []
    entries = await night(gql, user)
    assert [(e["start"], e["recurrenceId"]) for e in entries] == [
        (FIRST_0130, FIRST_0130), ("2024-10-27T09:00:00+00:00", SECOND_0130),
    ]
    assert len({e["id"] for e in entries}) == 2


async def test_an_rdate_before_dtstart_is_in_narrow_windows_and_in_the_export(
    gql: GraphQL, make_user: UserFactory, client: httpx.AsyncClient
) -> None:
    user = await make_user()
    created = await gql(CREATE, {"input": {
        "title": "Kick-off", "start": "2026-05-04T01:00:00Z", "end": "2026-05-04T02:00:00Z",
        "timezone": "Asia/Manila", "rrule": "FREQ=WEEKLY;COUNT=3", "rdates": ["2026-04-20T01:00:00Z"],
    }}, user=user)
    assert created["data"]["createEvent"]["errors"] == []

    narrow = await gql(WINDOW, {"start": "2026-04-20T00:00:00Z", "end": "2026-04-21T00:00:00Z"}, user=user)
    exported = await client.get("/calendar/export.ics", params={"start": "2026-04-20T00:00:00Z",
                                "end": "2026-04-21T00:00:00Z"}, headers={"Authorization": f"Bearer {token_for(user)}"})

    assert [(e["title"], e["start"]) for e in narrow["data"]["calendar"]["entries"]] == [
        ("Kick-off", "2026-04-20T01:00:00+00:00"),
    ]
    events = icalendar.Calendar.from_ical(exported.content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Kick-off"]
    assert [d.dt.astimezone(UTC) for d in events[0]["RDATE"].dts] == [datetime(2026, 4, 20, 1, tzinfo=UTC)]


async def test_rules_without_bounds_are_refused_on_create(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()
    answers = []
    for rule in ("FREQ=DAILY;INTERVAL=0", "FREQ=SECONDLY", "FREQ=DAILY;COUNT=10000000",
                 "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"):
        body = await gql(CREATE, {"input": {"title": "x", "start": "2026-01-05T09:00:00Z", "end": "2026-01-05T10:00:00Z",
                                            "timezone": "UTC", "rrule": rule}}, user=user)
        answers.append([(e["code"], e["field"]) for e in body["data"]["createEvent"]["errors"]])

    assert answers == [[("VALIDATION", "input.rrule")]] * 4


async def test_rules_without_bounds_are_refused_on_update(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()
    created = await gql(CREATE, {"input": {"title": "x", "start": "2026-01-05T09:00:00Z", "end": "2026-01-05T10:00:00Z",
                                           "timezone": "UTC", "rrule": "FREQ=WEEKLY"}}, user=user)
    event_id = created["data"]["createEvent"]["event"]["id"]

    body = await gql(UPDATE, {"input": {"id": event_id, "scope": "ALL", "rrule": "FREQ=HOURLY;INTERVAL=0"}}, user=user)

    assert [(e["code"], e["field"]) for e in body["data"]["updateEvent"]["errors"]] == [("VALIDATION", "input.rrule")]


async def test_a_window_with_too_many_occurrences_answers_validation(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()
    await gql(CREATE, {"input": {"title": "Every 15 minutes", "start": "2026-01-05T09:00:00Z",
                                 "end": "2026-01-05T09:15:00Z", "timezone": "UTC",
                                 "rrule": "FREQ=MINUTELY;INTERVAL=15"}}, user=user)

    body = await gql(WINDOW, {"start": "2026-01-05T00:00:00Z", "end": "2027-01-05T00:00:00Z"}, user=user)

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION"
    assert "narrower window" in body["errors"][0]["message"]


OUTLOOK = "\r\n".join([
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:Microsoft Exchange Server 2010",
    "BEGIN:VTIMEZONE", "TZID:Eastern Standard Time",
    "BEGIN:STANDARD", "DTSTART:16010101T020000", "TZOFFSETFROM:-0400", "TZOFFSETTO:-0500",
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11", "END:STANDARD",
    "BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0400",
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3", "END:DAYLIGHT", "END:VTIMEZONE",
    "BEGIN:VEVENT", "UID:outlook-weekly", "SUMMARY:Budget sync", "CLASS:CONFIDENTIAL",
    "DTSTART;TZID=Eastern Standard Time:20260302T090000", "DTEND;TZID=Eastern Standard Time:20260302T093000",
    "RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE;TZID=Eastern Standard Time:20260309T090000", "END:VEVENT",
    "BEGIN:VEVENT", "UID:outlook-weekly", "SUMMARY:Budget sync (moved)",
    "RECURRENCE-ID;TZID=Eastern Standard Time:20260316T090000",
    "DTSTART;TZID=Eastern Standard Time:20260316T110000", "DTEND;TZID=Eastern Standard Time:20260316T113000",
    "END:VEVENT", "END:VCALENDAR", "",
])


async def test_an_outlook_windows_zone_with_its_vtimezone_expands_in_the_iana_zone(
    gql: GraphQL, make_user: UserFactory
) -> None:
    user = await make_user()

    imported = (await gql(IMPORT, {"ics": OUTLOOK}, user=user))["data"]["importCalendar"]
    body = await gql(WINDOW, {"start": "2026-03-01T00:00:00Z", "end": "2026-04-01T00:00:00Z"}, user=user)
    listed = (await gql(EVENTS, user=user))["data"]["events"]["edges"]

    assert imported == {"created": 1, "problems": [], "errors": []}
    # 2 March is EST (UTC-5); from 8 March New York is on EDT (UTC-4). The cancelled 9th
    # stays away, the 16th moved to 11:00 shows once; the old import stored UTC and was an hour off.
    assert [(e["title"], e["start"]) for e in body["data"]["calendar"]["entries"]] == [
        ("Budget sync", "2026-03-02T14:00:00+00:00"),
        ("Budget sync (moved)", "2026-03-16T15:00:00+00:00"),
        ("Budget sync", "2026-03-23T13:00:00+00:00"),
    ]
    assert [e["node"]["timezone"] for e in listed] == ["America/New_York"]
    assert [e["node"]["visibility"] for e in listed] == ["PRIVATE"]  # CLASS:CONFIDENTIAL


FLOATING = "\r\n".join([
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN",
    "BEGIN:VEVENT", "UID:floating-nine", "SUMMARY:Floating nine", "CLASS:PUBLIC",
    "DTSTART:20260302T090000", "DTEND:20260302T100000", "END:VEVENT",
    "BEGIN:VEVENT", "UID:all-day", "SUMMARY:Holiday", "DTSTART;VALUE=DATE:20260328",
    "DTEND;VALUE=DATE:20260329", "END:VEVENT", "END:VCALENDAR", "",
])


async def test_floating_times_and_dates_are_read_in_the_importing_users_zone(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()

    zone = (await gql(SET_ZONE, {"tz": "Asia/Manila"}, user=user))["data"]["setMyTimezone"]
    await gql(IMPORT, {"ics": FLOATING}, user=user)
    nine = await gql(WINDOW, {"start": "2026-03-02T00:00:00Z", "end": "2026-03-03T00:00:00Z"}, user=user)
    later = await gql(WINDOW, {"start": "2026-03-28T16:00:00Z", "end": "2026-04-01T00:00:00Z"}, user=user)
    listed = (await gql(EVENTS, user=user))["data"]["events"]["edges"]

    assert zone == {"user": {"timezone": "Asia/Manila"}, "errors": []}
    assert [(e["title"], e["start"]) for e in nine["data"]["calendar"]["entries"]] == [
        ("Floating nine", "2026-03-02T01:00:00+00:00"),  # 09:00 in Manila, was 17:00 Manila (09:00 UTC)
    ]
    assert later["data"]["calendar"]["entries"] == []  # 28 March Manila ends at 16:00 UTC
    assert {e["node"]["title"]: e["node"]["visibility"] for e in listed} == {
        "Floating nine": "PUBLIC", "Holiday": "INTERNAL",
    }


async def test_set_my_timezone_refuses_unknown_zones_and_clears_back_to_the_office_zone(
    gql: GraphQL, make_user: UserFactory
) -> None:
    user = await make_user()

    bad = (await gql(SET_ZONE, {"tz": "Mars/Olympus"}, user=user))["data"]["setMyTimezone"]
    cleared = (await gql(SET_ZONE, {"tz": None}, user=user))["data"]["setMyTimezone"]
    anonymous = await gql(SET_ZONE, {"tz": "UTC"})

    assert bad == {"user": None, "errors": [{"code": "VALIDATION", "field": "input.timezone",
                                             "message": "Unknown IANA time zone."}]}
    assert cleared == {"user": {"timezone": "UTC"}, "errors": []}  # the test settings' office zone
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


SECONDLY_VTIMEZONE = "\r\n".join([
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Attack//EN",
    "BEGIN:VTIMEZONE", "TZID:Loop", "BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000", "RRULE:FREQ=SECONDLY", "END:STANDARD", "BEGIN:DAYLIGHT", "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0000", "TZOFFSETTO:+0100", "RRULE:FREQ=SECONDLY;INTERVAL=2", "END:DAYLIGHT", "END:VTIMEZONE",
    "BEGIN:VEVENT", "UID:loop", "SUMMARY:Loop", "DTSTART;TZID=Loop:20260302T090000",
    "DTEND;TZID=Loop:20260302T100000", "END:VEVENT", "END:VCALENDAR", "",
])


async def test_a_vtimezone_with_secondly_rules_is_refused_not_iterated(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()
    await gql(SET_ZONE, {"tz": "Asia/Manila"}, user=user)

    imported = (await gql(IMPORT, {"ics": SECONDLY_VTIMEZONE}, user=user))["data"]["importCalendar"]

    assert imported["created"] == 1
    assert imported["problems"] == [{"uid": "calendar", "reason": "VTIMEZONE 'Loop' ignored (a time zone rule must "
                                     "be FREQ=YEARLY, not 'SECONDLY'): its times are read as floating"}]

