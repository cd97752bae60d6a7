"""Hand-authored iCalendar cases (tests/calendar/cases/*.ics) with their instants worked out by
hand from RFC 5545, one per defect class of issue 14 (and the rule shapes it lists).

Each case names the window, the zone floating times and dates are read in (the importer's
zone), and the expected (start, end) pairs in UTC. How each was derived is in ``why``; the
offsets used are the published DST dates (US: 8 Mar / 1 Nov 2026; EU: 29 Mar / 25 Oct 2026,
27 Oct 2024; Sydney and Lord Howe: 5 Apr 2026; Santiago: 5 Apr and 6 Sep 2026).

``recurring-ical-events`` (the corpus oracle) is asked too. Where it disagrees with RFC 5545
the case says how (``oracle``) and the test asserts that it still does, so a change on
either side is noticed; Almanac follows the RFC.

Run: .venv/bin/pytest tests/calendar/test_cases.py -q
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events

from db.rules.icalendar_import import parse_calendar
from db.rules.recurrence import expand_occurrences, zone
from tests.calendar.corpus import localized

CASES_DIR = Path(__file__).with_name("cases")
Span = tuple[str, str]


@dataclass(frozen=True)
class Case:
    window: Span
    expected: list[Span]
    why: str
    zone: str = "UTC"  # the importer's zone: floating times and dates without X-WR-TIMEZONE
    oracle: str | None = None  # how recurring-ical-events differs from the RFC, if it does
    problem: str | None = None  # a substring of the import problem the case must report


def utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


CASES: dict[str, Case] = {
    # --- 1. Outlook's Windows zone names, with and without their VTIMEZONE --------------------
    "windows_eastern_with_vtimezone": Case(
        ("2026-03-01 00:00", "2026-04-01 00:00"),
        [("2026-03-02 14:00", "2026-03-02 14:30"), ("2026-03-16 15:00", "2026-03-16 15:30"),
         ("2026-03-23 13:00", "2026-03-23 13:30")],
        "Eastern Standard Time = America/New_York: 2 Mar 09:00 EST (-5); the 9th is an EXDATE; the "
        "16th moved to 11:00 EDT (-4); the 23rd 09:00 EDT.",
    ),
    "windows_w_europe_without_vtimezone": Case(
        ("2026-03-20 00:00", "2026-04-10 00:00"),
        [("2026-03-23 09:00", "2026-03-23 10:00"), ("2026-03-30 08:00", "2026-03-30 09:00"),
         ("2026-04-06 08:00", "2026-04-06 09:00")],
        "W. Europe Standard Time = Europe/Berlin: 10:00 CET (+1), then CEST (+2) after 29 Mar.",
    ),
    "windows_singapore_with_vtimezone": Case(
        ("2026-06-01 00:00", "2026-06-03 00:00"),
        [("2026-06-01 00:30", "2026-06-01 01:00"), ("2026-06-02 00:30", "2026-06-02 01:00")],
        "Singapore Standard Time = Asia/Singapore (+8, no DST): 08:30 local is 00:30 UTC.",
    ),
    "windows_quoted_tzid": Case(
        ("2026-10-30 00:00", "2026-11-03 00:00"),
        [("2026-10-31 16:00", "2026-10-31 17:00"), ("2026-11-01 17:00", "2026-11-01 18:00")],
        'TZID="Pacific Standard Time" (quoted) = America/Los_Angeles: 09:00 PDT (-7), then PST (-8).',
    ),
    "windows_cancelled_in_daylight_time": Case(
        ("2026-06-01 00:00", "2026-06-30 00:00"),
        [("2026-06-02 12:00", "2026-06-02 13:00"), ("2026-06-16 12:00", "2026-06-16 13:00")],
        "Romance Standard Time = Europe/Paris, 14:00 CEST (+2); the 9 June instance is STATUS:CANCELLED "
        "(an hour off in UTC, the old import did not match it and it came back).",
        oracle="returns the cancelled instance flagged STATUS:CANCELLED; a calendar leaves it out",
    ),
    # --- 2. Custom VTIMEZONEs: matched to the IANA zone with the same transitions -------------
    "custom_canberra_display_name": Case(
        ("2026-03-25 00:00", "2026-04-10 00:00"),
        [("2026-03-29 22:00", "2026-03-29 23:00"), ("2026-04-05 23:00", "2026-04-06 00:00")],
        "+11 until the first Sunday of April (5 Apr 2026), +10 after: 09:00 on 30 Mar and 6 Apr.",
    ),
    "customized_time_zone_us_eastern": Case(
        ("2026-10-30 00:00", "2026-11-03 00:00"),
        [("2026-10-31 12:00", "2026-10-31 12:30"), ("2026-11-01 13:00", "2026-11-01 13:30")],
        "-4 until the first Sunday of November (1 Nov 2026), -5 after: 08:00 on 31 Oct and 1 Nov.",
    ),
    "custom_fixed_offset": Case(
        ("2026-05-01 00:00", "2026-05-20 00:00"),
        [("2026-05-04 01:00", "2026-05-04 02:00"), ("2026-05-11 01:00", "2026-05-11 02:00")],
        "A single STANDARD at +08:00: 09:00 local is 01:00 UTC every week.",
    ),
    # --- Issue 11 hole 2: a VTIMEZONE whose rules would never stop ----------------------------
    "vtimezone_with_secondly_rules": Case(
        ("2026-03-01 00:00", "2026-03-03 00:00"),
        [("2026-03-02 01:00", "2026-03-02 02:00")],
        "The definition is refused (FREQ=SECONDLY); its times are read as floating, in the "
        "importer's zone Asia/Manila (+8): 09:00 is 01:00 UTC.",
        zone="Asia/Manila",
        oracle="not run: icalendar builds the zone with dateutil's tzical and iterates the rules forever",
        problem="VTIMEZONE 'Loop' ignored",
    ),
    # --- 3. The repeated hour: instants, not wall times --------------------------------------
    "london_exdate_of_the_second_0130": Case(
        ("2024-10-26 12:00", "2024-10-28 00:00"),
        [("2024-10-27 00:30", "2024-10-27 01:00")],
        "RDATEs at 00:30Z (01:30 BST) and 01:30Z (01:30 GMT); the EXDATE 01:30Z removes the second only.",
    ),
    "london_cancelled_second_0130": Case(
        ("2024-10-26 12:00", "2024-10-28 00:00"),
        [("2024-10-27 00:30", "2024-10-27 01:00")],
        "The RECURRENCE-ID 01:30Z with STATUS:CANCELLED cancels the second 01:30 only.",
        oracle="returns the cancelled instance flagged STATUS:CANCELLED; a calendar leaves it out",
    ),
    "london_moved_second_0130": Case(
        ("2024-10-26 12:00", "2024-10-28 00:00"),
        [("2024-10-27 00:30", "2024-10-27 01:00"), ("2024-10-27 09:00", "2024-10-27 09:30")],
        "The RECURRENCE-ID 01:30Z moves the second 01:30 to 09:00Z; the first stays.",
    ),
    "london_daily_at_0130_keeps_thirty_minutes": Case(
        ("2024-10-25 12:00", "2024-10-29 00:00"),
        [("2024-10-26 00:30", "2024-10-26 01:00"), ("2024-10-27 00:30", "2024-10-27 01:00"),
         ("2024-10-28 01:30", "2024-10-28 02:00")],
        "RFC 5545 3.3.5: the ambiguous 01:30 on 27 Oct is its first occurrence (BST, 00:30Z); 3.8.5.3: "
        "DTEND gives every instance the same exact duration, 30 minutes.",
        oracle="adds the 30 minutes on the wall clock: 01:30 BST + 0:30 = 02:00 GMT, a 90-minute instance",
    ),
    "london_duration_pt30m_at_0130": Case(
        ("2024-10-25 12:00", "2024-10-29 00:00"),
        [("2024-10-26 00:30", "2024-10-26 01:00"), ("2024-10-27 00:30", "2024-10-27 01:00"),
         ("2024-10-28 01:30", "2024-10-28 02:00")],
        "RFC 5545 3.3.6: a DURATION without days is exact time: 30 minutes on the change night too.",
        oracle="adds PT30M on the wall clock: 01:30 BST + 0:30 = 02:00 GMT, a 90-minute instance",
    ),
    "exdate_in_another_zone": Case(
        ("2026-03-01 00:00", "2026-03-20 00:00"),
        [("2026-03-02 09:00", "2026-03-02 10:00"), ("2026-03-16 09:00", "2026-03-16 10:00")],
        "EXDATE 05:00 New York (EDT, -4 since 8 Mar) is 09:00Z, the instant of 10:00 Berlin (CET) on 9 Mar.",
    ),
    "two_rdates_on_the_fall_back_night": Case(
        ("2024-10-26 12:00", "2024-10-28 00:00"),
        [("2024-10-27 00:30", "2024-10-27 01:00"), ("2024-10-27 01:30", "2024-10-27 02:00")],
        "Two RDATEs with the same London wall time (01:30 BST and 01:30 GMT) are two instants.",
    ),
    # --- 4. Floating times and dates: calendar zone, else the importer's ---------------------
    "floating_with_x_wr_timezone": Case(
        ("2026-03-01 00:00", "2026-03-03 00:00"),
        [("2026-03-02 01:00", "2026-03-02 02:00")],
        "X-WR-TIMEZONE:Asia/Manila names the calendar's zone: floating 09:00 is 09:00 Manila (+8).",
    ),
    "floating_in_the_importers_zone": Case(
        ("2026-03-01 00:00", "2026-03-03 00:00"),
        [("2026-03-02 01:00", "2026-03-02 02:00")],
        "No X-WR-TIMEZONE: floating 09:00 is read in the importer's zone, Asia/Manila (+8).",
        zone="Asia/Manila",
    ),
    "all_day_in_the_importers_zone": Case(
        ("2026-03-27 00:00", "2026-03-30 00:00"),
        [("2026-03-27 16:00", "2026-03-28 16:00")],
        "28 March as a DATE is midnight to midnight in Asia/Manila: 16:00Z on the 27th to 16:00Z on the 28th.",
        zone="Asia/Manila",
    ),
    "x_wr_timezone_moves_utc_times": Case(
        ("2026-03-20 00:00", "2026-04-05 00:00"),
        [("2026-03-23 09:00", "2026-03-23 10:00"), ("2026-03-30 08:00", "2026-03-30 09:00")],
        "Google writes UTC with X-WR-TIMEZONE:Europe/Berlin: the rule repeats at 10:00 Berlin, "
        "09:00Z in CET, 08:00Z in CEST after 29 Mar.",
    ),
    # --- 5. RDATE before DTSTART, nominal DURATION, PERIOD ----------------------------------
    "rdate_before_dtstart": Case(
        ("2026-04-20 00:00", "2026-04-21 00:00"),
        [("2026-04-20 01:00", "2026-04-20 02:00")],
        "RFC 5545 3.8.5.2: RDATEs join the set wherever they fall, also before DTSTART (4 May).",
    ),
    "duration_p1d_across_fall_back": Case(
        ("2026-10-30 00:00", "2026-11-03 00:00"),
        [("2026-10-31 13:00", "2026-11-01 14:00"), ("2026-11-01 14:00", "2026-11-02 14:00")],
        "RFC 5545 3.3.6: P1D is a calendar day: 09:00 EDT to 09:00 EST is 25 hours, then 24.",
    ),
    "duration_p1dt2h_across_spring_forward": Case(
        ("2026-03-28 00:00", "2026-03-30 00:00"),
        [("2026-03-28 12:00", "2026-03-29 13:00")],
        "12:00 GMT + 1 calendar day = 12:00 BST (11:00Z), + 2 exact hours = 13:00Z.",
    ),
    "rdate_period": Case(
        ("2026-10-19 00:00", "2026-10-30 00:00"),
        [("2026-10-20 08:00", "2026-10-20 09:00"), ("2026-10-26 09:00", "2026-10-26 12:00")],
        "RDATE;VALUE=PERIOD carries its own end: three hours on the 26th.",
    ),
    # --- Rule shapes of the round-trip property ----------------------------------------------
    "bysetpos_last_weekday_of_month": Case(
        ("2026-01-01 00:00", "2026-04-10 00:00"),
        [("2026-01-30 08:00", "2026-01-30 09:00"), ("2026-02-27 08:00", "2026-02-27 09:00"),
         ("2026-03-31 08:00", "2026-03-31 09:00")],
        "Last weekday: Fri 30 Jan (31st is a Saturday), Fri 27 Feb (28th is a Saturday), Tue 31 Mar; 16:00 Manila.",
    ),
    "bymonthday_minus_one_in_santiago": Case(
        ("2026-01-01 00:00", "2026-05-10 00:00"),
        [("2026-01-31 13:00", "2026-01-31 14:00"), ("2026-02-28 13:00", "2026-02-28 14:00"),
         ("2026-03-31 13:00", "2026-03-31 14:00"), ("2026-04-30 14:00", "2026-04-30 15:00")],
        "Last day of each month at 10:00 Santiago: -3 until 5 April, -4 after.",
    ),
    "count_with_exdate": Case(
        ("2026-01-01 00:00", "2026-01-20 00:00"),
        [("2026-01-05 09:00", "2026-01-05 10:00"), ("2026-01-06 09:00", "2026-01-06 10:00"),
         ("2026-01-08 09:00", "2026-01-08 10:00"), ("2026-01-09 09:00", "2026-01-09 10:00")],
        "RFC 5545 3.8.5.1: COUNT counts the rule's instances before EXDATE removes one: 5 - 1 = 4.",
    ),
    "range_thisandfuture": Case(
        ("2026-03-01 00:00", "2026-04-01 00:00"),
        [("2026-03-02 09:00", "2026-03-02 10:00"), ("2026-03-09 09:00", "2026-03-09 10:00"),
         ("2026-03-16 11:00", "2026-03-16 11:30"), ("2026-03-23 11:00", "2026-03-23 11:30")],
        "RFC 5545 3.8.4.4 RANGE=THISANDFUTURE: from 16 Mar every instance moves 2 h later and lasts 30 min.",
    ),
    "spring_forward_keeps_exact_duration": Case(
        ("2026-03-27 12:00", "2026-03-30 00:00"),
        [("2026-03-28 00:30", "2026-03-28 02:30"), ("2026-03-29 00:30", "2026-03-29 02:30")],
        "00:30 GMT on 29 Mar still exists; DTEND gives every instance the exact 2 hours (ending 03:30 BST).",
        oracle="adds the 2 hours on the wall clock on 29 Mar: 02:30 BST (01:30Z), a one-hour instance",
    ),
    "start_in_the_spring_forward_gap": Case(
        ("2026-03-06 00:00", "2026-03-10 00:00"),
        [("2026-03-07 07:30", "2026-03-07 08:00"), ("2026-03-08 07:30", "2026-03-08 08:00")],
        "RFC 5545 3.3.5: 02:30 on 8 Mar does not exist; it takes the offset before the gap (EST): 07:30Z; "
        "then the exact 30 minutes.",
        oracle="ends the gap instance at 03:00 EDT (07:00Z), half an hour before it starts",
    ),
    "lord_howe_half_hour_change": Case(
        ("2026-04-03 00:00", "2026-04-06 00:00"),
        [("2026-04-03 22:00", "2026-04-03 23:00"), ("2026-04-04 22:30", "2026-04-04 23:30")],
        "Lord Howe moves half an hour: 09:00 at +11 on 4 Apr, at +10:30 on 5 Apr.",
    ),
    "all_day_on_santiagos_missing_midnight": Case(
        ("2026-09-05 00:00", "2026-09-08 00:00"),
        [("2026-09-06 04:00", "2026-09-07 03:00")],
        "Midnight of 6 Sep does not exist in Santiago (00:00 -4 jumps to 01:00 -3): the day starts at "
        "04:00Z (the offset before the gap) and ends at midnight of the 7th (-3), 03:00Z.",
        zone="America/Santiago",
    ),
    "rdate_equal_to_a_rule_occurrence": Case(
        ("2026-01-01 00:00", "2026-01-10 00:00"),
        [("2026-01-05 09:00", "2026-01-05 10:00"), ("2026-01-06 09:00", "2026-01-06 10:00")],
        "RFC 5545 3.8.5.2: the recurrence set has no duplicates: an RDATE equal to a rule instance is one instance.",
    ),
    "weekly_two_days_across_spring_forward": Case(
        ("2026-03-01 00:00", "2026-03-20 00:00"),
        [("2026-03-05 14:00", "2026-03-05 15:00"), ("2026-03-10 13:00", "2026-03-10 14:00"),
         ("2026-03-12 13:00", "2026-03-12 14:00")],
        "Tue/Thu 09:00 New York from Thu 5 Mar (EST), then Tue 10 and Thu 12 Mar (EDT).",
    ),
}


def ours(name: str, case: Case) -> tuple[list[Span], list[str]]:
    result = parse_calendar((CASES_DIR / f"{name}.ics").read_bytes(), default_timezone=case.zone)
    start, end = (utc(t) for t in case.window)
    spans = sorted(
        (o.start.astimezone(UTC).strftime("%Y-%m-%d %H:%M"), o.end.astimezone(UTC).strftime("%Y-%m-%d %H:%M"))
        for series in result.series for o in expand_occurrences(series.spec(), start, end)
    )
    return spans, [p.reason for p in result.problems]


def oracle(name: str, case: Case) -> list[Span]:
    calendar = icalendar.Calendar.from_ical((CASES_DIR / f"{name}.ics").read_bytes())
    tz = zone(case.zone if "X-WR-TIMEZONE" not in calendar else str(calendar["X-WR-TIMEZONE"]))
    start, end = (utc(t).astimezone(tz) for t in case.window)
    return sorted(
        (localized(c["DTSTART"].dt, tz).strftime("%Y-%m-%d %H:%M"), localized(c["DTEND"].dt, tz).strftime("%Y-%m-%d %H:%M"))
        for c in recurring_ical_events.of(calendar).between(start, end)
    )


def test_there_are_at_least_thirty_cases_each_with_its_file() -> None:
    assert len(CASES) >= 30
    assert sorted(CASES) == sorted(p.stem for p in CASES_DIR.glob("*.ics"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_expands_to_the_instants_worked_out_by_hand(name: str) -> None:
    case = CASES[name]

    spans, problems = ours(name, case)

    assert spans == case.expected, case.why
    if case.problem is None:
        assert problems == []
    else:
        assert any(case.problem in p for p in problems), problems


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if not (c.oracle or "").startswith("not run")))
def test_the_oracle_agrees_except_where_the_case_says_it_differs_from_the_rfc(name: str) -> None:
    case = CASES[name]

    theirs = oracle(name, case)

    if case.oracle is None:
        assert theirs == case.expected, case.why
    else:
        assert theirs != case.expected, f"the oracle now follows the RFC: drop the note ({case.oracle})"
