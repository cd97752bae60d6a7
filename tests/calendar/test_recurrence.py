"""Recurrence expansion (db/rules/recurrence.py): DST, leap days, all-day, RDATE/EXDATE,
overrides, COUNT/UNTIL, series end and THIS_AND_FOLLOWING splits."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db.rules.recurrence import (
    InvalidRecurrence,
    OverrideSpec,
    SeriesSpec,
    expand_occurrences,
    series_end,
    split_series,
    validate_rrule,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
YEAR_2024 = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC))


def weekly_berlin(**changes: object) -> SeriesSpec:
    fields: dict[str, object] = {
        "start": datetime(2024, 3, 18, 9, tzinfo=BERLIN),
        "end": datetime(2024, 3, 18, 10, tzinfo=BERLIN),
        "timezone": "Europe/Berlin",
        "rrule": "FREQ=WEEKLY;COUNT=6",
    }
    fields.update(changes)
    return SeriesSpec(**fields)  # type: ignore[arg-type]


def starts(series: SeriesSpec, window: tuple[datetime, datetime] = YEAR_2024) -> list[datetime]:
    return [o.start for o in expand_occurrences(series, *window)]


def test_weekly_meeting_stays_at_nine_local_across_berlin_spring_forward() -> None:
    occurrences = expand_occurrences(weekly_berlin(), *YEAR_2024)

    assert [o.start.astimezone(BERLIN).time() for o in occurrences] == [time(9)] * 6
    assert [o.start.astimezone(UTC).hour for o in occurrences] == [8, 8, 7, 7, 7, 7]
    assert all(o.end - o.start == timedelta(hours=1) for o in occurrences)
    assert occurrences[2].recurrence_id == datetime(2024, 4, 1, 7, tzinfo=UTC)


def test_new_york_fall_back_keeps_wall_time_and_nonexistent_time_moves_past_the_gap() -> None:
    fall = SeriesSpec(
        start=datetime(2024, 11, 1, 9, tzinfo=NEW_YORK), end=datetime(2024, 11, 1, 10, tzinfo=NEW_YORK),
        timezone="America/New_York", rrule="FREQ=DAILY;COUNT=5",
    )
    gap = SeriesSpec(
        start=datetime(2024, 3, 9, 2, 30, tzinfo=NEW_YORK), end=datetime(2024, 3, 9, 3, 30, tzinfo=NEW_YORK),
        timezone="America/New_York", rrule="FREQ=DAILY;COUNT=3",
    )

    assert [s.astimezone(UTC).hour for s in starts(fall)] == [13, 13, 14, 14, 14]  # DST ends 2024-11-03
    assert [s.astimezone(NEW_YORK).time() for s in starts(fall)] == [time(9)] * 5
    # 2024-03-10 02:30 does not exist in New York: RFC 5545 uses the offset before the gap.
    assert [s.astimezone(UTC) for s in starts(gap)] == [
        datetime(2024, 3, 9, 7, 30, tzinfo=UTC),
        datetime(2024, 3, 10, 7, 30, tzinfo=UTC),
        datetime(2024, 3, 11, 6, 30, tzinfo=UTC),
    ]


def test_leap_day_rule_only_yields_leap_years_as_all_day_dates() -> None:
    leap = SeriesSpec(
        start=datetime(2024, 2, 29, tzinfo=BERLIN), end=datetime(2024, 3, 1, tzinfo=BERLIN), all_day=True,
        timezone="Europe/Berlin", rrule="FREQ=YEARLY;BYMONTHDAY=29;BYMONTH=2",
    )

    occurrences = expand_occurrences(leap, datetime(2024, 1, 1, tzinfo=UTC), datetime(2033, 1, 1, tzinfo=UTC))

    assert [(o.start.astimezone(BERLIN).date(), o.end.astimezone(BERLIN).date()) for o in occurrences] == [
        (date(y, 2, 29), date(y, 3, 1)) for y in (2024, 2028, 2032)
    ]
    assert series_end(leap) is None


def test_all_day_event_keeps_its_dates_across_dst() -> None:
    series = SeriesSpec(
        start=datetime(2024, 3, 29, tzinfo=BERLIN), end=datetime(2024, 3, 31, tzinfo=BERLIN), all_day=True,
        timezone="Europe/Berlin", rrule="FREQ=DAILY;COUNT=3",
    )

    occurrences = expand_occurrences(series, *YEAR_2024)

    assert [o.start.astimezone(BERLIN) for o in occurrences] == [
        datetime(2024, 3, d, tzinfo=BERLIN) for d in (29, 30, 31)
    ]
    assert occurrences[1].end == datetime(2024, 4, 1, tzinfo=BERLIN)  # two days, 47 hours
    assert series_end(series) == datetime(2024, 4, 2, tzinfo=BERLIN)


def test_rdate_adds_and_exdate_removes_by_original_start() -> None:
    series = weekly_berlin(
        rdates=(datetime(2024, 3, 20, 15, tzinfo=BERLIN),),
        exdates=(datetime(2024, 3, 25, 8, tzinfo=UTC),),
    )

    assert [s.astimezone(BERLIN).strftime("%m-%d %H") for s in starts(series)] == [
        "03-18 09", "03-20 15", "04-01 09", "04-08 09", "04-15 09", "04-22 09",
    ]


def test_overrides_move_in_move_out_and_cancel() -> None:
    moved_out = datetime(2024, 3, 25, 8, tzinfo=UTC)
    moved_in = datetime(2024, 4, 22, 7, tzinfo=UTC)
    cancelled = datetime(2024, 4, 1, 7, tzinfo=UTC)
    series = weekly_berlin(
        overrides={
            moved_out: OverrideSpec(start=datetime(2024, 5, 6, 9, tzinfo=BERLIN), end=datetime(2024, 5, 6, 11, tzinfo=BERLIN)),
            moved_in: OverrideSpec(start=datetime(2024, 3, 19, 14, tzinfo=BERLIN), end=datetime(2024, 3, 19, 15, tzinfo=BERLIN), title="Moved"),
            cancelled: OverrideSpec(cancelled=True),
        }
    )
    window = (datetime(2024, 3, 18, tzinfo=UTC), datetime(2024, 4, 2, tzinfo=UTC))

    occurrences = expand_occurrences(series, *window)

    assert [(o.recurrence_id, o.start.astimezone(BERLIN).strftime("%m-%d %H")) for o in occurrences] == [
        (datetime(2024, 3, 18, 8, tzinfo=UTC), "03-18 09"),
        (moved_in, "03-19 14"),
    ]
    assert occurrences[1].override is not None and occurrences[1].override.title == "Moved"
    later = expand_occurrences(series, datetime(2024, 5, 6, tzinfo=UTC), datetime(2024, 5, 7, tzinfo=UTC))
    assert [(o.recurrence_id, o.end - o.start) for o in later] == [(moved_out, timedelta(hours=2))]
    assert series_end(series) == datetime(2024, 5, 6, 11, tzinfo=BERLIN)


def test_until_is_inclusive_and_count_limits() -> None:
    until = weekly_berlin(rrule="FREQ=WEEKLY;UNTIL=20240401T070000Z")
    count = weekly_berlin(rrule="FREQ=DAILY;COUNT=2")

    assert len(starts(until)) == 3
    assert series_end(until) == datetime(2024, 4, 1, 10, tzinfo=BERLIN)
    assert len(starts(count)) == 2
    assert series_end(weekly_berlin(rrule="FREQ=WEEKLY")) is None


def test_window_overlap_is_half_open_and_includes_running_occurrences() -> None:
    series = weekly_berlin()
    first_start = datetime(2024, 3, 18, 9, tzinfo=BERLIN)

    assert starts(series, (first_start + timedelta(minutes=30), first_start + timedelta(minutes=31))) == [first_start]
    assert starts(series, (first_start + timedelta(hours=1), first_start + timedelta(hours=2))) == []
    assert starts(series, (first_start - timedelta(hours=1), first_start)) == []


INSTANT = datetime(2024, 5, 1, 12, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("window", "inside"),
    [
        ((INSTANT, INSTANT + MINUTE), True),  # at the window start: in
        ((INSTANT - MINUTE, INSTANT), False),  # at the window end: out
        ((INSTANT - MINUTE, INSTANT + MINUTE), True),
        ((INSTANT + MINUTE, INSTANT + 2 * MINUTE), False),
        ((INSTANT - 2 * MINUTE, INSTANT - MINUTE), False),
        ((INSTANT, INSTANT), False),  # an empty window holds nothing
    ],
)
def test_zero_length_occurrence_is_in_a_window_iff_start_le_t_lt_end(
    window: tuple[datetime, datetime], inside: bool
) -> None:
    single = SeriesSpec(start=INSTANT, end=INSTANT)
    daily = SeriesSpec(start=INSTANT - timedelta(days=2), end=INSTANT - timedelta(days=2), rrule="FREQ=DAILY;COUNT=3")
    moved = SeriesSpec(  # positive-length series, one occurrence moved to the zero-length instant
        start=INSTANT - timedelta(days=7, hours=3), end=INSTANT - timedelta(days=7, hours=2), rrule="FREQ=DAILY;COUNT=3",
        overrides={INSTANT - timedelta(days=6, hours=3): OverrideSpec(start=INSTANT, end=INSTANT)},
    )
    all_day = SeriesSpec(start=INSTANT.replace(hour=0), end=INSTANT.replace(hour=0), all_day=True)
    all_day_window = tuple(moment - timedelta(hours=12) for moment in window)

    assert starts(single, window) == ([INSTANT] if inside else [])
    assert starts(daily, window) == ([INSTANT] if inside else [])
    assert starts(moved, window) == ([INSTANT] if inside else [])
    assert starts(all_day, all_day_window) == ([INSTANT.replace(hour=0)] if inside else [])  # type: ignore[arg-type]
    assert all(o.end == o.start for o in expand_occurrences(daily, *YEAR_2024))


def test_zero_length_series_end_is_its_last_instant() -> None:
    daily = SeriesSpec(start=INSTANT, end=INSTANT, rrule="FREQ=DAILY;COUNT=3")

    assert series_end(daily) == INSTANT + timedelta(days=2)
    assert starts(daily, (INSTANT + timedelta(days=2), INSTANT + timedelta(days=2, minutes=1))) == [
        INSTANT + timedelta(days=2)
    ]


def test_non_recurring_event_has_no_recurrence_id() -> None:
    single = SeriesSpec(start=datetime(2024, 5, 1, 9, tzinfo=UTC), end=datetime(2024, 5, 1, 10, tzinfo=UTC))

    assert [(o.recurrence_id, o.start) for o in expand_occurrences(single, *YEAR_2024)] == [(None, single.start)]
    assert series_end(single) == single.end


def test_validate_rrule_normalises_and_explains_errors() -> None:
    assert validate_rrule("rrule:freq=weekly;byday=mo,we") == "FREQ=WEEKLY;BYDAY=MO,WE"
    for bad, reason in [
        ("BYDAY=MO", "FREQ"),
        ("FREQ=FORTNIGHTLY", "FREQ"),
        ("FREQ=DAILY;UNTL=20240101", "unknown RRULE part 'UNTL'"),
        ("FREQ=DAILY;COUNT=0", "COUNT"),
        ("FREQ=DAILY;COUNT=2;UNTIL=20240101", "both COUNT and UNTIL"),
        ("FREQ=DAILY;UNTIL=2024", "UNTIL"),
        ("FREQ=DAILY;BYDAY=XX", "not a weekday"),
    ]:
        with pytest.raises(InvalidRecurrence, match=reason):
            validate_rrule(bad)


def test_split_series_keeps_every_occurrence_and_does_not_copy_count() -> None:
    series = weekly_berlin(rrule="FREQ=WEEKLY;COUNT=6")
    split_at = datetime(2024, 4, 8, 9, tzinfo=BERLIN)

    head, tail = split_series(series.rrule or "", series.start, split_at, timezone_name="Europe/Berlin")

    assert head == "FREQ=WEEKLY;UNTIL=20240408T065959Z"
    assert tail == "FREQ=WEEKLY;COUNT=3"
    before = starts(weekly_berlin(rrule=head))
    after = starts(weekly_berlin(rrule=tail, start=split_at, end=split_at + timedelta(hours=1)))
    assert before + after == starts(series)


def test_split_series_edge_cases() -> None:
    start = datetime(2024, 1, 1, tzinfo=BERLIN)
    assert split_series("FREQ=DAILY;COUNT=3", start, start, timezone_name="Europe/Berlin") == (None, "FREQ=DAILY;COUNT=3")
    assert split_series("FREQ=DAILY;COUNT=3", start, start + timedelta(days=3), timezone_name="Europe/Berlin") == (
        "FREQ=DAILY;UNTIL=20240103T225959Z", None,
    )
    assert split_series("FREQ=YEARLY", start, datetime(2026, 1, 1, tzinfo=BERLIN), timezone_name="Europe/Berlin", all_day=True) == (
        "FREQ=YEARLY;UNTIL=20251231", "FREQ=YEARLY",
    )


@settings(max_examples=150, deadline=None)
@given(
    zone_name=st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC"]),
    day=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    hour=st.integers(0, 23),
    minutes=st.integers(1, 600),
    rule=st.sampled_from(["FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,FR", "FREQ=MONTHLY;BYMONTHDAY=31", "FREQ=DAILY;INTERVAL=3;COUNT=40"]),
    offset_hours=st.integers(0, 24 * 400),
    length_hours=st.integers(1, 24 * 60),
)
def test_every_occurrence_overlaps_the_window_and_keeps_wall_time(
    zone_name: str, day: date, hour: int, minutes: int, rule: str, offset_hours: int, length_hours: int
) -> None:
    tz = ZoneInfo(zone_name)
    start = datetime.combine(day, time(hour), tz).astimezone(UTC).astimezone(tz)  # normalised wall time
    # Instants are compared in UTC: Python compares and subtracts two times of one zone on the wall clock.
    series = SeriesSpec(start=start, end=start.astimezone(UTC) + timedelta(minutes=minutes), timezone=zone_name,
                        rrule=rule)
    window_start = start.astimezone(UTC) + timedelta(hours=offset_hours)
    window_end = window_start + timedelta(hours=length_hours)

    occurrences = expand_occurrences(series, window_start, window_end)

    assert [o.start for o in occurrences] == sorted(o.start for o in occurrences)
    for occurrence in occurrences:
        begins, ends = occurrence.start.astimezone(UTC), occurrence.end.astimezone(UTC)
        assert begins < window_end and ends > window_start
        assert ends - begins == timedelta(minutes=minutes)  # exact, also across a DST change
        local = occurrence.start.astimezone(tz)
        assert local.time() == start.time() or local.dst() != start.dst()  # only a DST gap moves it
    # Nothing missing: the same expansion over a wider window, clipped, agrees.
    wider = expand_occurrences(series, window_start - timedelta(days=40), window_end + timedelta(days=40))
    assert [o for o in wider if o.start < window_end and o.end > window_start] == occurrences


@settings(max_examples=150, deadline=None)
@given(
    zone_name=st.sampled_from(["Europe/Berlin", "America/New_York", "UTC"]),
    start_day=st.dates(min_value=date(2015, 1, 1), max_value=date(2020, 12, 31)),
    hour=st.integers(0, 23),
    all_day=st.booleans(),
    rule=st.sampled_from([
        "FREQ=DAILY;INTERVAL=3", "FREQ=WEEKLY;INTERVAL=2", "FREQ=WEEKLY;BYDAY=TU,SA;WKST=SU",
        "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;INTERVAL=5", "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=2",
        "FREQ=YEARLY;BYMONTHDAY=29;BYMONTH=2", "FREQ=YEARLY;INTERVAL=2",
        "FREQ=HOURLY;INTERVAL=23",  # from 2015 to 2027 stays under MAX_OCCURRENCES_PER_SERIES
        "FREQ=DAILY;UNTIL=20240315T120000Z", "FREQ=WEEKLY;UNTIL=20230101",
    ]),
    window_day=st.dates(min_value=date(2021, 1, 1), max_value=date(2026, 12, 31)),
    window_days=st.integers(1, 70),
)
def test_late_windows_agree_with_expansion_from_the_first_occurrence(
    zone_name: str, start_day: date, hour: int, all_day: bool, rule: str, window_day: date, window_days: int
) -> None:
    """Expansion restarts long rules near the window; it must not change any occurrence."""
    tz = ZoneInfo(zone_name)
    start = datetime.combine(start_day, time() if all_day else time(hour), tz)
    series = SeriesSpec(
        start=start, end=start + timedelta(days=1 if all_day else 0, hours=0 if all_day else 2),
        all_day=all_day, timezone=zone_name, rrule=rule,
    )
    window_start = datetime.combine(window_day, time(), UTC)
    window_end = window_start + timedelta(days=window_days)

    late = expand_occurrences(series, window_start, window_end)
    from_first = expand_occurrences(series, series.start - timedelta(days=1), window_end)

    assert late == [o for o in from_first if o.start < window_end and o.end > window_start]
