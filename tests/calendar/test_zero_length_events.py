"""Zero-length events (RFC 5545: DTEND = DTSTART, or DTSTART alone) end to end.

Window rule: a zero-length occurrence at instant t is in [start, end) iff
start <= t < end; any other occurrence iff it starts before ``end`` and ends after
``start``. createEvent keeps requiring end > start, so zero-length events arrive
through importCalendar.
"""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import GraphQL, UserFactory

IMPORT = """
mutation I($ics: String!) {
  importCalendar(input: {ics: $ics}) { created updated skipped problems { uid reason } errors { code message } }
}
"""
CALENDAR = """
query C($start: DateTime!, $end: DateTime!) { calendar(start: $start, end: $end) {
  entries { title start end recurrenceId } } }
"""
EVENTS = """
query E($start: DateTime, $end: DateTime) { events(filter: {start: $start, end: $end}, first: 50) {
  edges { node { title } } } }
"""


def ics(*events: list[str]) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN"]
    for event in events:
        lines += ["BEGIN:VEVENT", *event, "END:VEVENT"]
    return "\r\n".join([*lines, "END:VCALENDAR", ""])


INSTANT = ["UID:instant@test", "SUMMARY:Instant", "DTSTART:20260310T120000Z", "DTEND:20260310T120000Z"]
NO_DTEND = ["UID:no-dtend@test", "SUMMARY:No end", "DTSTART:20260310T120000Z"]
DAILY_INSTANT = ["UID:daily@test", "SUMMARY:Daily", "DTSTART:20260311T080000Z", "DTEND:20260311T080000Z",
                 "RRULE:FREQ=DAILY;COUNT=3"]
# Only overridden occurrences (no master): one moved to a zero-length instant.
MOVED = ["UID:moved@test", "SUMMARY:Moved", "RECURRENCE-ID:20260320T090000Z", "DTSTART:20260318T150000Z",
         "DTEND:20260318T150000Z"]


def z(day: int, hour: int, minute: int = 0) -> str:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC).isoformat()


async def window(gql: GraphQL, user: object, start: str, end: str) -> list[tuple[str, str, str]]:
    body = await gql(CALENDAR, {"start": start, "end": end}, user=user)
    assert "errors" not in body, body
    return [(e["title"], e["start"], e["end"]) for e in body["data"]["calendar"]["entries"]]


async def test_zero_length_imports_are_stored_and_shown(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()

    body = await gql(IMPORT, {"ics": ics(INSTANT, NO_DTEND, DAILY_INSTANT, MOVED)}, user=user)
    found = await window(gql, user, z(1, 0), z(31, 0))

    assert body["data"]["importCalendar"] == {"created": 4, "updated": 0, "skipped": 0, "problems": [], "errors": []}
    assert sorted(found) == sorted([
        ("Instant", z(10, 12), z(10, 12)), ("No end", z(10, 12), z(10, 12)),
        ("Daily", z(11, 8), z(11, 8)), ("Daily", z(12, 8), z(12, 8)), ("Daily", z(13, 8), z(13, 8)),
        ("Moved", z(18, 15), z(18, 15)),
    ])


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # instant at 12:00 and daily instants at 08:00 on the 11th-13th; moved occurrence at 15:00 on the 18th
        (z(10, 12), z(10, 13), {"Instant", "No end"}),  # t == start: inside
        (z(10, 11), z(10, 12), set()),  # t == end: outside
        (z(10, 11), z(10, 12, 1), {"Instant", "No end"}),
        (z(10, 12, 1), z(11, 0), set()),  # just after t
        (z(12, 8), z(12, 9), {"Daily"}),  # a recurring instant at the window start
        (z(13, 8), z(13, 9), {"Daily"}),  # the series' last instant (series end == window start)
        (z(11, 7), z(11, 8), set()),
        (z(18, 15), z(18, 16), {"Moved"}),  # an overridden instant at the window start
        (z(18, 14), z(18, 15), set()),
    ],
)
async def test_zero_length_window_membership(
    gql: GraphQL, make_user: UserFactory, start: str, end: str, expected: set[str]
) -> None:
    user = await make_user()
    await gql(IMPORT, {"ics": ics(INSTANT, NO_DTEND, DAILY_INSTANT, MOVED)}, user=user)

    found = await window(gql, user, start, end)

    assert {title for title, _, _ in found} == expected
    assert all(s == e for _, s, e in found)


async def test_events_filter_uses_the_same_rule(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()
    await gql(IMPORT, {"ics": ics(INSTANT)}, user=user)

    async def titles(**window: str) -> list[str]:
        body = await gql(EVENTS, window, user=user)
        assert "errors" not in body, body
        return [edge["node"]["title"] for edge in body["data"]["events"]["edges"]]

    assert await titles(start=z(10, 12), end=z(10, 13)) == ["Instant"]
    assert await titles(start=z(10, 11), end=z(10, 12)) == []
    assert await titles(start=z(10, 12)) == ["Instant"]
    assert await titles(start=z(10, 12, 1)) == []
    assert await titles(end=z(10, 12)) == []
    assert await titles(end=z(10, 12, 1)) == ["Instant"]
