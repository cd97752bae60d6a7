"""Round trip (issue 14): for an event the API can create and edit, export -> re-import -> expand
gives the same instants.

The series is built the way the mutations build it: a start in one of the office's zones,
a rule of the shapes real clients write (BYSETPOS, BYMONTHDAY=-1, COUNT with EXDATEs...),
EXDATEs of its own occurrences, then an edit with scope THIS (move or cancel one
occurrence: an override) or THIS_AND_FOLLOWING (split with ``split_series`` and move the
tail by the wall clock, as ``resolvers/event_series`` does). The expansion of what was
built is compared, as (start, end) instants, with the expansion of what
``export_calendar`` wrote and ``parse_calendar`` read back.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from db.rules.icalendar_export import ExportEvent, export_calendar
from db.rules.icalendar_import import parse_calendar
from db.rules.recurrence import OverrideSpec, SeriesSpec, expand_occurrences, split_series, zone
from resolvers.event_series import shift_until, shift_wall

ZONES = ["Asia/Manila", "America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Santiago"]
RULES = [
    "FREQ=DAILY;COUNT=12",
    "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=10",
    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=8",
    "FREQ=MONTHLY;BYDAY=2TU",
    "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=8",
    "FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU",  # the EU change Sundays
    "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270101T000000Z",
    "FREQ=HOURLY;INTERVAL=6;COUNT=20",
]
STAMP = datetime(2026, 1, 1, tzinfo=UTC)
Instant = tuple[datetime, datetime]


def instants(series: list[SeriesSpec], start: datetime, end: datetime) -> list[Instant]:
    return sorted((o.start.astimezone(UTC), o.end.astimezone(UTC)) for s in series
                  for o in expand_occurrences(s, start, end))


def round_trip(series: list[SeriesSpec]) -> list[SeriesSpec]:
    events = [ExportEvent(uid=f"rt-{i}@test", title="Round trip", series=s) for i, s in enumerate(series)]
    parsed = parse_calendar(export_calendar(events, stamp=STAMP), default_timezone="UTC")
    assert parsed.problems == []
    return [s.spec() for s in parsed.series]


@st.composite
def edited_series(draw: st.DrawFn) -> tuple[list[SeriesSpec], datetime, datetime]:
    tz_name = draw(st.sampled_from(ZONES))
    tz = zone(tz_name)
    all_day = draw(st.booleans())
    day = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)))
    wall = time() if all_day else time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30, 45])))
    start = datetime.combine(day, wall, tz).astimezone(UTC)
    if all_day:
        end = datetime.combine(day + timedelta(days=draw(st.integers(1, 3))), time(), tz).astimezone(UTC)
    else:
        end = start + timedelta(minutes=draw(st.sampled_from([0, 30, 60, 90, 24 * 60, 25 * 60])))
    rule = draw(st.sampled_from(RULES))
    assume(not (all_day and rule.startswith("FREQ=HOURLY")))
    window = (start - timedelta(days=2), start + timedelta(days=400))
    bare = SeriesSpec(start=start, end=end, all_day=all_day, timezone=tz_name, rrule=rule)
    originals = [o.recurrence_id for o in expand_occurrences(bare, *window)]
    assert all(r is not None for r in originals)
    rids = [r for r in originals if r is not None]
    excluded = draw(st.lists(st.sampled_from(rids[1:] or rids), max_size=3, unique=True))
    base = SeriesSpec(start=start, end=end, all_day=all_day, timezone=tz_name, rrule=rule, exdates=tuple(excluded))
    remaining = [r for r in rids if r not in excluded]
    scope = draw(st.sampled_from(["NONE", "THIS_MOVE", "THIS_CANCEL", "THIS_AND_FOLLOWING"]))
    if scope == "NONE" or len(remaining) < 2:
        return [base], *window
    rid = draw(st.sampled_from(remaining[1:]))
    shift = timedelta(days=1) if all_day else timedelta(minutes=draw(st.sampled_from([-90, -30, 45, 60, 24 * 60])))
    if scope == "THIS_CANCEL":
        return [SeriesSpec(**{**_fields(base), "overrides": {rid: OverrideSpec(cancelled=True)}})], *window
    if scope == "THIS_MOVE":
        moved_start, moved_end = moved_times(rid, shift, end - start, tz_name, all_day)
        moved = OverrideSpec(start=moved_start, end=moved_end, title="Moved")
        return [SeriesSpec(**{**_fields(base), "overrides": {rid: moved}})], *window
    head_rule, tail_rule = split_series(rule, start, rid, timezone_name=tz_name, all_day=all_day)
    assume(head_rule is not None)
    head = SeriesSpec(**{**_fields(base), "rrule": head_rule, "exdates": tuple(x for x in excluded if x < rid)})
    new_start, new_end = moved_times(rid, shift, end - start, tz_name, all_day)
    tail = SeriesSpec(
        start=new_start, end=new_end, all_day=all_day, timezone=tz_name,
        rrule=shift_until(tail_rule, rid, new_start, tz_name) if tail_rule else None,
        exdates=tuple(shift_wall(x, rid, new_start, tz_name) for x in excluded if x > rid),
        rdates=() if tail_rule else (new_start,),
    )
    return [head, tail], *window


def moved_times(rid: datetime, shift: timedelta, length: timedelta, tz_name: str, all_day: bool) -> tuple[datetime, datetime]:
    """Where an edit moves an occurrence, as the mutations store it: all-day ones from local
    midnight to local midnight (``event_fields.times``), timed ones on the wall clock."""
    if not all_day:
        start = shift_wall(rid, rid, rid + shift, tz_name)
        return start, start + length
    tz = zone(tz_name)
    first = rid.astimezone(tz).date() + timedelta(days=shift.days)
    days = max(1, round(length / timedelta(days=1)))
    return (datetime.combine(first, time(), tz).astimezone(UTC),
            datetime.combine(first + timedelta(days=days), time(), tz).astimezone(UTC))


def _fields(series: SeriesSpec) -> dict[str, object]:
    return {name: getattr(series, name) for name in SeriesSpec.__dataclass_fields__}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(edited_series())
def test_export_then_import_then_expand_gives_the_same_instants(case: tuple[list[SeriesSpec], datetime, datetime]) -> None:
    series, start, end = case

    assert instants(round_trip(series), start, end) == instants(series, start, end)
