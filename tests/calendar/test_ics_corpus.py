"""Every file of the shared iCalendar corpus, imported and expanded, against an oracle.

For each file: import it with ``parse_calendar``, expand every series with
``expand_occurrences`` over a window spanning all its events (first DTSTART - 1
day to last DTSTART + 2 years) and over narrow windows cut around single
occurrences, and compare the set of (UID, start, end) with
``recurring_ical_events.of(calendar).between(a, b)``.

Known, deliberate differences from the oracle:
- Occurrences with STATUS:CANCELLED: the oracle returns them (flagged), Almanac's
  calendar leaves them out, so they are removed from the oracle's answer.
- Files with a listed difference in reading the RFC (``corpus.KNOWN_DIFFERENCES``) are
  compared up to that difference and count as partial matches.
- Files the importer rejects, wholly or per component, are listed in
  ``EXPECTED_REJECTIONS`` with the reason they must be rejected for; the oracle's
  occurrences of the rejected UIDs are not compared.

Run: .venv/bin/pytest tests/calendar/test_ics_corpus.py -q -rA
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import recurring_ical_events

from db.rules.icalendar_import import ImportResult, parse_calendar
from db.rules.recurrence import expand_occurrences, zone
from tests.calendar.corpus import (
    CORPUS,
    KNOWN_DIFFERENCES,
    as_utc,
    before_difference,
    localized,
    public_uid,
)

FILES = sorted(p.name for p in CORPUS.glob("*.ics"))
DEFAULT_TIMEZONE = "UTC"

Key = tuple[str, datetime, datetime]

# file -> {ref: substring of the reason}; refs are UIDs, or "calendar"/"component #N".
EXPECTED_REJECTIONS: dict[str, dict[str, str]] = {
    "bad_rrule_missing_until_event.ics": {"blabla": "unknown RRULE part 'UNTL'"},
    "end_before_start_event.ics": {"UYDQSG9TH4DE0WM3QFL2J": "is before DTSTART"},
    # DTEND 23:30 before DTSTART 23:45; the oracle swaps them, RFC 5545 makes it invalid.
    "issue_132_swapped_start_and_end.ics": {"84A72-65798A00-5-20465200": "is before DTSTART"},
    # A RECURRENCE-ID copy with its own RRULE and an older SEQUENCE whose occurrence
    # the current series (SEQUENCE:2, UNTIL 2024-07-20) no longer has: dropped, as the oracle does.
    "issue_253_additional_recurrence_id.ics": {"111": "older SEQUENCE"},
}


_SUMMARY: dict[str, list[str]] = {"matched": [], "rejected": []}
_COMPARED_OCCURRENCES: list[int] = []


@pytest.fixture(scope="module", autouse=True)
def corpus_summary() -> Iterator[None]:
    yield
    print(
        f"\nICS corpus: {len(_SUMMARY['matched'])} files matched the oracle in full, "
        f"{len(_SUMMARY['rejected'])} matched with components rejected for a listed reason "
        f"({', '.join(_SUMMARY['rejected'])}); {sum(_COMPARED_OCCURRENCES)} occurrences compared"
    )


def _windows(calendar: icalendar.Calendar) -> Iterator[tuple[datetime, datetime]]:
    moments = [
        as_utc(component[name].dt)
        for component in calendar.walk("VEVENT")
        for name in ("DTSTART", "RECURRENCE-ID")
        if name in component
    ]
    if not moments:
        yield datetime(2000, 1, 1, tzinfo=UTC), datetime(2001, 1, 1, tzinfo=UTC)
        return
    first, last = min(moments), max(moments)
    yield first - timedelta(days=1), last + timedelta(days=731)
    for moment in sorted(set(moments))[:: max(1, len(moments) // 4)][:5]:
        yield moment - timedelta(minutes=30), moment + timedelta(minutes=30)
        yield moment + timedelta(minutes=30), moment + timedelta(days=1)


def _ours(imported: ImportResult, start: datetime, end: datetime) -> set[Key]:
    return {
        (public_uid(series.uid), occurrence.start.astimezone(UTC), occurrence.end.astimezone(UTC))
        for series in imported.series
        for occurrence in expand_occurrences(series.spec(), start, end)
    }


def _oracle(
    calendar: icalendar.Calendar, zones: dict[str, str], skipped: set[str], start: datetime, end: datetime
) -> set[Key]:
    """The oracle's occurrences; it treats DATEs as floating in the window's zone, Almanac
    anchors them in the series' zone, so the oracle is asked once per zone in its wall time."""
    keys: set[Key] = set()
    query = recurring_ical_events.of(calendar, skip_bad_series=True)
    for zone_name in set(zones.values()) | {DEFAULT_TIMEZONE}:
        tz = zone(zone_name)
        for component in query.between(start.astimezone(tz), end.astimezone(tz)):
            uid = str(component.get("UID", ""))
            if zones.get(uid, DEFAULT_TIMEZONE) != zone_name or uid in skipped:
                continue
            if str(component.get("STATUS", "")).upper() == "CANCELLED":
                continue
            keys.add((uid, localized(component["DTSTART"].dt, tz), localized(component["DTEND"].dt, tz)))
    return keys


@pytest.mark.parametrize("name", FILES)
def test_corpus_file_matches_oracle(name: str) -> None:
    data = (CORPUS / name).read_bytes()
    imported = parse_calendar(data, default_timezone=DEFAULT_TIMEZONE)
    calendar = icalendar.Calendar.from_ical(data)

    expected = EXPECTED_REJECTIONS.get(name, {})
    event_problems = {p.ref: p.reason for p in imported.problems if "VTODO" not in p.reason and "VJOURNAL" not in p.reason}
    assert set(event_problems) == set(expected), imported.problems
    for ref, reason in expected.items():
        assert reason in event_problems[ref]
    assert all(p.reason for p in imported.problems)

    zones = {public_uid(series.uid): series.timezone for series in imported.series}
    skipped = set(expected) - set(zones)
    for start, end in _windows(calendar):
        ours = before_difference(name, _ours(imported, start, end))
        assert ours == before_difference(name, _oracle(calendar, zones, skipped, start, end)), (start, end)
        _COMPARED_OCCURRENCES.append(len(ours))
    _SUMMARY["rejected" if expected or name in KNOWN_DIFFERENCES else "matched"].append(name)
