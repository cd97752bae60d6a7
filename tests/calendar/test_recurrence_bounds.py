"""Issue 11 hole 1: every rule is bounded before anything expands it (db/rules/rrule_checks.py),
and a window never expands more than MAX_OCCURRENCES_PER_SERIES occurrences of one series.

On the old code INTERVAL=0 and FREQ=SECONDLY were accepted and expanded without end,
COUNT=10000000 walked ten million occurrences, and a never-matching DAILY rule walked every
day to the year 9999 (3 s). Each call here runs on a thread with a generous deadline so a
regression fails instead of hanging the run."""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from db.rules.recurrence import (
    MAX_OCCURRENCES_PER_SERIES,
    ExpansionLimit,
    InvalidRecurrence,
    SeriesSpec,
    expand_occurrences,
    series_end,
    validate_rrule,
)
from db.rules.rrule_checks import MAX_COUNT, MIN_MINUTELY_INTERVAL

GENEROUS_SECONDS = 10.0
START = datetime(2026, 1, 5, 9, tzinfo=UTC)


def finishes(work: Callable[[], Any]) -> Any:
    """Run ``work`` on a thread; fail (instead of hanging) if it does not end in time."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except Exception as error:
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(GENEROUS_SECONDS)
    assert not thread.is_alive(), "did not finish: unbounded work"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def series(rule: str, start: datetime = START) -> SeriesSpec:
    return SeriesSpec(start=start, end=start + timedelta(minutes=30), timezone="UTC", rrule=rule)


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be a positive integer"),
        ("FREQ=DAILY;INTERVAL=-3", "INTERVAL must be a positive integer"),
        ("FREQ=SECONDLY", "SECONDLY is not supported"),
        ("FREQ=MINUTELY", f"INTERVAL of at least {MIN_MINUTELY_INTERVAL}"),
        ("FREQ=MINUTELY;INTERVAL=5", f"INTERVAL of at least {MIN_MINUTELY_INTERVAL}"),
        ("FREQ=DAILY;COUNT=10000000", f"COUNT may be at most {MAX_COUNT}"),
        ("FREQ=DAILY;INTERVAL=100000", "INTERVAL may be at most"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY values must be in"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY values must be in"),
        ("FREQ=DAILY;BYHOUR=24", "BYHOUR values must be in"),
        ("FREQ=WEEKLY;BYDAY=2MO", "needs FREQ=MONTHLY or YEARLY"),
        ("FREQ=MONTHLY;BYWEEKNO=3", "BYWEEKNO is only allowed with FREQ=YEARLY"),
        ("FREQ=WEEKLY;BYMONTHDAY=3", "BYMONTHDAY is not allowed with FREQ=WEEKLY"),
        ("FREQ=HOURLY;BYMONTHDAY=30", "may only filter days with BYDAY and BYMONTH"),
        ("FREQ=DAILY;INTERVAL=7;BYDAY=TU", "cannot also filter days"),
        ("FREQ=MONTHLY;BYMONTH=" + ",".join(["1"] * 400), "at most 366 values"),
    ],
)
def test_unbounded_rules_are_refused_before_expansion(rule: str, reason: str) -> None:
    with pytest.raises(InvalidRecurrence, match=reason):
        finishes(lambda: validate_rrule(rule))


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",  # 3 s to the year 9999 on dateutil alone
        "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4",
        "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29",  # DTSTART 2026: every 4th year is never a leap year
        "FREQ=MONTHLY;INTERVAL=2;BYMONTH=2,4,6",  # from January, every other month is odd
    ],
)
def test_a_rule_that_never_occurs_after_its_start_is_refused_without_walking_to_9999(rule: str) -> None:
    validate_rrule(rule)  # well-formed: whether it occurs depends on DTSTART

    with pytest.raises(InvalidRecurrence, match="never occurs"):
        finishes(lambda: series_end(series(rule + ";COUNT=3")))
    with pytest.raises(InvalidRecurrence, match="never occurs"):
        finishes(lambda: expand_occurrences(series(rule), START, START + timedelta(days=400)))


def test_sparse_rules_that_do_occur_are_accepted() -> None:
    leap_monday = series("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO")  # 2044, 2072, ...
    every_fourth_leap = series("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", datetime(2028, 2, 29, tzinfo=UTC))

    found = finishes(lambda: expand_occurrences(leap_monday, START, START + timedelta(days=20 * 366)))
    assert [o.start.date().isoformat() for o in found] == ["2026-01-05", "2044-02-29"]  # DTSTART always occurs
    assert [o.start.year for o in expand_occurrences(every_fourth_leap, START, START + timedelta(days=3000))] == [
        2028, 2032,
    ]


def test_a_window_with_too_many_occurrences_of_one_series_asks_for_a_narrower_window() -> None:
    step = timedelta(minutes=MIN_MINUTELY_INTERVAL)
    quarter_hours = SeriesSpec(start=START, end=START + step, timezone="UTC",
                               rrule=f"FREQ=MINUTELY;INTERVAL={MIN_MINUTELY_INTERVAL}")
    fits = step * MAX_OCCURRENCES_PER_SERIES

    assert len(expand_occurrences(quarter_hours, START, START + fits)) == MAX_OCCURRENCES_PER_SERIES
    with pytest.raises(ExpansionLimit, match="narrower window"):
        finishes(lambda: expand_occurrences(quarter_hours, START, START + timedelta(days=400)))


def test_a_series_end_of_an_until_rule_walks_back_from_until_not_forward_from_dtstart() -> None:
    until = series(f"FREQ=MINUTELY;INTERVAL={MIN_MINUTELY_INTERVAL};UNTIL=21000101T000000Z")

    assert finishes(lambda: series_end(until)) == datetime(2100, 1, 1, 0, 30, tzinfo=UTC)
