"""Issue 14 defects 3 and 5 on the expansion rules: occurrences are instants, not wall times.

London falls back on 2024-10-27: 01:30 happens at 00:30 UTC (BST) and again at 01:30 UTC
(GMT). Python compares two aware datetimes of one zone by wall time and hashes them with
fold=0, so the old expansion merged the two 01:30s, missed overrides and EXDATEs of the
second one and computed durations on the wall clock (a 30-minute meeting at the first
01:30 lasted until 02:00 GMT: 90 minutes)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from db.rules.icalendar_export import ExportEvent, export_calendar
from db.rules.icalendar_import import parse_calendar
from db.rules.recurrence import (
    OverrideSpec,
    SeriesSpec,
    expand_occurrences,
    series_end,
    series_start,
)

LONDON = ZoneInfo("Europe/London")
FIRST_0130 = datetime(2024, 10, 27, 0, 30, tzinfo=UTC)  # 01:30 BST
SECOND_0130 = datetime(2024, 10, 27, 1, 30, tzinfo=UTC)  # 01:30 GMT
NIGHT = (datetime(2024, 10, 26, 12, tzinfo=UTC), datetime(2024, 10, 28, 12, tzinfo=UTC))
HALF_HOUR = timedelta(minutes=30)


def daily_0130(**changes: object) -> SeriesSpec:
    start = datetime(2024, 10, 25, 1, 30, tzinfo=LONDON)
    fields: dict[str, object] = {"start": start, "end": start + HALF_HOUR, "timezone": "Europe/London",
                                 "rrule": "FREQ=DAILY;COUNT=5"}
    fields.update(changes)
    return SeriesSpec(**fields)  # type: ignore[arg-type]


def utc_spans(series: SeriesSpec) -> list[tuple[datetime, datetime]]:
    return [(o.start.astimezone(UTC), o.end.astimezone(UTC)) for o in expand_occurrences(series, *NIGHT)]


def test_a_rule_at_the_repeated_time_takes_its_first_occurrence_and_keeps_exact_durations() -> None:
    # RFC 5545 3.3.5: an ambiguous local time means its first occurrence.
    assert utc_spans(daily_0130()) == [
        (FIRST_0130, FIRST_0130 + HALF_HOUR),  # was (00:30, 02:00): 90 minutes
        (datetime(2024, 10, 28, 1, 30, tzinfo=UTC), datetime(2024, 10, 28, 2, 0, tzinfo=UTC)),
    ]


def test_two_rdates_at_the_same_wall_time_stay_two_and_the_series_end_is_the_later_one() -> None:
    start = datetime(2024, 10, 20, 1, 30, tzinfo=LONDON)
    series = SeriesSpec(start=start, end=start + HALF_HOUR, timezone="Europe/London",
                        rdates=(FIRST_0130, SECOND_0130))

    assert utc_spans(series) == [(FIRST_0130, FIRST_0130 + HALF_HOUR), (SECOND_0130, SECOND_0130 + HALF_HOUR)]
    assert series_end(series) == SECOND_0130 + HALF_HOUR


def test_an_exdate_of_the_second_0130_removes_only_that_occurrence() -> None:
    start = datetime(2024, 10, 20, 1, 30, tzinfo=LONDON)
    series = SeriesSpec(start=start, end=start + HALF_HOUR, timezone="Europe/London",
                        rdates=(FIRST_0130, SECOND_0130), exdates=(SECOND_0130,))

    assert utc_spans(series) == [(FIRST_0130, FIRST_0130 + HALF_HOUR)]


def test_an_override_or_cancellation_of_the_second_0130_hits_that_occurrence_only() -> None:
    start = datetime(2024, 10, 20, 1, 30, tzinfo=LONDON)
    moved_to = datetime(2024, 10, 27, 9, tzinfo=UTC)
    base = SeriesSpec(start=start, end=start + HALF_HOUR, timezone="Europe/London", rdates=(FIRST_0130, SECOND_0130))
    moved = SeriesSpec(**{**_fields(base), "overrides": {SECOND_0130: OverrideSpec(start=moved_to, end=moved_to + HALF_HOUR)}})
    cancelled = SeriesSpec(**{**_fields(base), "overrides": {SECOND_0130: OverrideSpec(cancelled=True)}})

    assert utc_spans(moved) == [(FIRST_0130, FIRST_0130 + HALF_HOUR), (moved_to, moved_to + HALF_HOUR)]
    assert [o.recurrence_id for o in expand_occurrences(moved, *NIGHT)] == [FIRST_0130, SECOND_0130]
    assert utc_spans(cancelled) == [(FIRST_0130, FIRST_0130 + HALF_HOUR)]


def test_a_series_starting_at_the_second_0130_keeps_that_instant_as_its_first_occurrence() -> None:
    series = SeriesSpec(start=SECOND_0130.astimezone(LONDON), end=SECOND_0130 + HALF_HOUR,
                        timezone="Europe/London", rrule="FREQ=DAILY;COUNT=2")

    assert utc_spans(series) == [
        (SECOND_0130, SECOND_0130 + HALF_HOUR),  # was moved to the first 01:30 and shown twice
        (datetime(2024, 10, 28, 1, 30, tzinfo=UTC), datetime(2024, 10, 28, 2, 0, tzinfo=UTC)),
    ]


def test_an_rdate_before_dtstart_is_the_series_start() -> None:
    start = datetime(2024, 11, 4, 9, tzinfo=LONDON)
    early = datetime(2024, 10, 1, 8, tzinfo=UTC)
    series = SeriesSpec(start=start, end=start + HALF_HOUR, timezone="Europe/London",
                        rrule="FREQ=WEEKLY;COUNT=2", rdates=(early,))

    assert series_start(series) == early
    assert utc_spans(SeriesSpec(**{**_fields(series)})) == []
    narrow = expand_occurrences(series, early - HALF_HOUR, early + HALF_HOUR)
    assert [(o.start, o.end) for o in narrow] == [(early, early + HALF_HOUR)]


def test_a_nominal_day_stays_a_calendar_day_across_the_change() -> None:
    start = datetime(2024, 10, 26, 9, tzinfo=LONDON)
    series = SeriesSpec(start=start, end=start + timedelta(hours=25), timezone="Europe/London",
                        rrule="FREQ=DAILY;COUNT=3", nominal=timedelta(days=1))

    ends = [o.end.astimezone(LONDON).replace(tzinfo=None) for o in expand_occurrences(series, *NIGHT)]
    assert ends == [datetime(2024, 10, 27, 9), datetime(2024, 10, 28, 9), datetime(2024, 10, 29, 9)]
    hours = [(o.end.astimezone(UTC) - o.start.astimezone(UTC)) / timedelta(hours=1)
             for o in expand_occurrences(series, *NIGHT)]
    assert hours == [25.0, 24.0, 24.0]


def _fields(series: SeriesSpec) -> dict[str, object]:
    return {name: getattr(series, name) for name in SeriesSpec.__dataclass_fields__}


def test_a_nominal_duration_is_exported_as_duration_and_read_back_the_same() -> None:
    text = "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN", "BEGIN:VEVENT", "UID:p1d", "SUMMARY:Day shift",
        "DTSTART;TZID=America/New_York:20261031T090000", "DURATION:P1D", "RRULE:FREQ=DAILY;COUNT=2",
        "END:VEVENT", "END:VCALENDAR", "",
    ])
    [imported] = parse_calendar(text).series
    exported = export_calendar([ExportEvent(uid="p1d", title="Day shift", series=imported.spec())], stamp=NIGHT[0])
    [again] = parse_calendar(exported).series
    window = (datetime(2026, 10, 30, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC))

    assert b"DURATION:P1D" in exported and b"DTEND" not in exported  # was DTEND: a fixed 24 hours
    assert [(o.start, o.end) for o in expand_occurrences(again.spec(), *window)] == \
        [(o.start, o.end) for o in expand_occurrences(imported.spec(), *window)]
    assert [o.end.astimezone(UTC).hour for o in expand_occurrences(again.spec(), *window)] == [14, 14]  # 09:00 EST
