"""iCalendar import errors and export→import round trips (db/rules/icalendar_*.py)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from db.rules.icalendar_export import ExportEvent, export_calendar
from db.rules.icalendar_import import ImportResult, parse_calendar
from db.rules.recurrence import OverrideSpec, SeriesSpec, expand_occurrences
from tests.calendar.corpus import CORPUS

BERLIN = ZoneInfo("Europe/Berlin")
STAMP = datetime(2024, 1, 1, tzinfo=UTC)
WINDOW = (datetime(2023, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))

BAD_AND_GOOD = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:test
BEGIN:VEVENT
UID:no-start
SUMMARY:missing DTSTART
END:VEVENT
BEGIN:VEVENT
UID:backwards
DTSTART:20240301T100000Z
DTEND:20240301T090000Z
END:VEVENT
BEGIN:VEVENT
UID:bad-rule
DTSTART:20240301T100000Z
RRULE:FREQ=SOMETIMES
END:VEVENT
BEGIN:VTODO
UID:todo
SUMMARY:a task
END:VTODO
BEGIN:VEVENT
UID:good
SUMMARY:Good
DTSTART;TZID=Europe/Berlin:20240301T100000
DURATION:PT90M
RRULE:FREQ=DAILY;COUNT=2
END:VEVENT
BEGIN:VEVENT
UID:good
RECURRENCE-ID;TZID=Europe/Berlin:20240302T100000
STATUS:CANCELLED
DTSTART;TZID=Europe/Berlin:20240302T100000
END:VEVENT
END:VCALENDAR
"""


def occurrence_set(result: ImportResult) -> set[tuple[str, datetime, datetime]]:
    return {
        (s.uid, o.start.astimezone(UTC), o.end.astimezone(UTC))
        for s in result.series
        for o in expand_occurrences(s.spec(), *WINDOW)
    }


def test_bad_components_are_reported_and_the_rest_imported() -> None:
    result = parse_calendar(BAD_AND_GOOD)

    assert [(p.ref, p.reason) for p in result.problems] == [
        ("todo", "VTODO skipped: Almanac imports events only"),
        ("no-start", "missing DTSTART"),
        ("backwards", "DTEND 2024-03-01T09:00:00+00:00 is before DTSTART 2024-03-01T10:00:00+00:00"),
        ("bad-rule", "RRULE needs FREQ=one of DAILY, HOURLY, MINUTELY, MONTHLY, SECONDLY, WEEKLY, YEARLY"),
    ]
    [good] = result.series
    assert (good.uid, good.title, good.timezone, good.rrule) == ("good", "Good", "Europe/Berlin", "FREQ=DAILY;COUNT=2")
    assert [o.start for o in expand_occurrences(good.spec(), *WINDOW)] == [datetime(2024, 3, 1, 10, tzinfo=BERLIN)]


def test_garbage_is_rejected_with_a_reason() -> None:
    result = parse_calendar(b"this is not a calendar")

    assert result.series == []
    assert [p.ref for p in result.problems] == ["calendar"]
    assert result.problems[0].reason


def test_export_keeps_rules_and_round_trips_occurrences() -> None:
    weekly = SeriesSpec(
        start=datetime(2024, 3, 18, 9, tzinfo=BERLIN), end=datetime(2024, 3, 18, 10, tzinfo=BERLIN),
        timezone="Europe/Berlin", rrule="FREQ=WEEKLY;UNTIL=20240501T000000",
        rdates=(datetime(2024, 3, 20, 15, tzinfo=BERLIN),), exdates=(datetime(2024, 3, 25, 9, tzinfo=BERLIN),),
        overrides={
            datetime(2024, 4, 1, 7, tzinfo=UTC): OverrideSpec(
                start=datetime(2024, 4, 2, 11, tzinfo=BERLIN), end=datetime(2024, 4, 2, 12, tzinfo=BERLIN), title="Moved"
            ),
            datetime(2024, 4, 8, 7, tzinfo=UTC): OverrideSpec(cancelled=True),
        },
    )
    leap = SeriesSpec(
        start=datetime(2024, 2, 29, tzinfo=BERLIN), end=datetime(2024, 3, 1, tzinfo=BERLIN), all_day=True,
        timezone="Europe/Berlin", rrule="FREQ=YEARLY;BYMONTHDAY=29;BYMONTH=2",
    )
    single = SeriesSpec(start=datetime(2024, 6, 1, 12, tzinfo=UTC), end=datetime(2024, 6, 1, 13, tzinfo=UTC))
    events = [ExportEvent("weekly", "Weekly", weekly), ExportEvent("leap", "Leap", leap), ExportEvent("due", "Task due", single)]

    data = export_calendar(events, stamp=STAMP, name="Almanac")
    calendar = icalendar.Calendar.from_ical(data)
    reimported = parse_calendar(data, default_timezone="Europe/Berlin")

    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    masters = {str(e["UID"]): e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" not in e}
    assert masters["weekly"]["RRULE"].to_ical() == b"FREQ=WEEKLY;UNTIL=20240430T220000Z"
    assert masters["leap"]["DTSTART"].params.get("VALUE") == "DATE"
    assert reimported.problems == []
    assert occurrence_set(reimported) == {
        (e.uid, o.start.astimezone(UTC), o.end.astimezone(UTC))
        for e in events
        for o in expand_occurrences(e.series, *WINDOW)
    }
    moved = next(o for o in expand_occurrences(reimported.series[0].spec(), *WINDOW) if o.override)
    assert moved.override is not None and moved.override.title == "Moved"


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.ics")))
def test_every_corpus_file_survives_export_and_reimport(name: str) -> None:
    first = parse_calendar((CORPUS / name).read_bytes())
    events = [ExportEvent(s.uid, s.title, s.spec(), s.description, s.location, s.sequence) for s in first.series]

    # DATE values are floating (RFC 5545): the importer anchors them in default_timezone,
    # here the zone X-WR-TIMEZONE gave them on the first import.
    all_day_zones = {s.timezone for s in first.series if s.all_day} or {"UTC"}
    assert len(all_day_zones) == 1
    second = parse_calendar(export_calendar(events, stamp=STAMP), default_timezone=all_day_zones.pop())

    assert second.problems == []
    assert {s.uid for s in second.series} == {s.uid for s in first.series}
    for before, after in zip(sorted(first.series, key=lambda s: s.uid), sorted(second.series, key=lambda s: s.uid),
                             strict=True):
        window = (before.start - timedelta(days=400), before.start + timedelta(days=1100))
        assert [(o.start, o.end) for o in expand_occurrences(after.spec(), *window)] == [
            (o.start, o.end) for o in expand_occurrences(before.spec(), *window)
        ], before.uid
