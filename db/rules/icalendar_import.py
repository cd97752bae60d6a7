"""Parse iCalendar text into importable event series, one problem per bad component.

``parse_calendar(data, default_timezone=...)`` never raises for bad content: a
component that cannot be imported is reported in ``ImportResult.problems`` with
its UID (or ``component #N``) and a reason, and the rest is imported.

Decisions (RFC 5545 where it is clear, the common clients' habits where not):

- VEVENTs are grouped by UID. Among several masters (no RECURRENCE-ID) or several
  versions of one RECURRENCE-ID the highest SEQUENCE wins (the first on a tie).
- Time zones: every TZID is resolved by ``db.rules.ics_zones`` (IANA names,
  Windows names with or without their VTIMEZONE, custom VTIMEZONEs matched to the
  IANA zone with the same transitions); VTIMEZONE rules are never run by icalendar.
  X-WR-TIMEZONE (Google) names the calendar's zone: UTC times are moved into it
  (as the ``x-wr-timezone`` library does) so that rules repeat on its wall clock.
- Floating times and all-day dates are read in the event's ``X-ALMANAC-TIMEZONE``
  (written by Almanac's export), else the calendar's zone (X-WR-TIMEZONE), else
  ``default_timezone`` (the importing user's zone, else the office's).
- CLASS:PRIVATE and CLASS:CONFIDENTIAL import as PRIVATE, CLASS:PUBLIC as PUBLIC,
  anything else (or none) as INTERNAL.
- A DURATION of whole days (P1D, P1W, P1DT2H) stays nominal (RFC 5545 3.3.6):
  ``ImportedSeries.nominal`` keeps it so occurrences across DST keep the wall time.
- The end is DTEND, else DTSTART + DURATION, else RFC 5545's default (one day for
  a DATE, zero length for a DATE-TIME). DTEND before DTSTART is an error.
- RDATE;VALUE=PERIOD becomes an RDATE plus an override carrying the period's end.
- An EXDATE given as a DATE on a timed series excludes the occurrence on that day.
- RECURRENCE-ID components become overrides; STATUS:CANCELLED ones cancel the
  occurrence. RANGE=THISANDFUTURE splits the series (``db.rules.ics_ranges``), as
  Almanac stores a THIS_AND_FOLLOWING edit. Overrides without a master are
  imported as a series of RDATEs, each overridden, so UID and RECURRENCE-IDs survive.
- A master with STATUS:CANCELLED is skipped (Almanac has no cancelled events).
- COUNT=-1 (Confluence's "no count") is dropped, as ``recurring-ical-events`` does.
- VTODO and VJOURNAL are skipped with a reason: Almanac imports events only.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from db.rules.icalendar_import_types import ImportedSeries, ImportProblem, ImportResult
from db.rules.ics_ranges import split_this_and_future
from db.rules.ics_zones import Zones, hide_vtimezones, known_zone
from db.rules.recurrence import (
    InvalidRecurrence,
    OverrideSpec,
    expand_occurrences,
    validate_rrule,
    zone,
)

__all__ = ["ImportProblem", "ImportResult", "ImportedSeries", "parse_calendar"]

SYNTHETIC_UID_PREFIX = "almanac-generated-"
# DATEs carry no zone; Almanac writes the event's zone beside them so its own export re-imports exactly.
OWN_ZONE_PROPERTY = "X-ALMANAC-TIMEZONE"  # for VEVENTs without UID: a hash of their content
_NEGATIVE_COUNT = re.compile(r";?COUNT=-\d+", re.IGNORECASE)


class _Rejected(Exception):
    """A component cannot be imported; the message is the reason."""


MAX_ICS_BYTES = 5_000_000  # an Outlook export of several years of a busy calendar is ~1 MB
MAX_EVENTS = 10_000  # VEVENT components per import; 30,000 took 222 s and stalled the server
PARSE_SECONDS = 30.0  # CPU budget of one parse (run on a worker thread, never the event loop)


def parse_calendar(
    data: bytes | str, *, default_timezone: str = "UTC", budget_seconds: float | None = PARSE_SECONDS
) -> ImportResult:
    """Parse and check ``data``; CPU-bound (up to ``budget_seconds``): call it on a thread."""
    result = ImportResult()
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > MAX_ICS_BYTES:
        result.problems.append(ImportProblem("calendar", f"file larger than {MAX_ICS_BYTES} bytes: not imported"))
        return result
    events = count_events(raw)
    if events > MAX_EVENTS:
        result.problems.append(
            ImportProblem("calendar", f"{events} events, more than {MAX_EVENTS} in one import: split the file")
        )
        return result
    deadline = monotonic() + budget_seconds if budget_seconds is not None else None
    try:
        calendars = icalendar.Calendar.from_ical(hide_vtimezones(raw), multiple=True)
    except (ValueError, IndexError, KeyError) as error:
        result.problems.append(ImportProblem("calendar", f"not an iCalendar file: {error}"))
        return result
    if not calendars:
        result.problems.append(ImportProblem("calendar", "no VCALENDAR found"))
    index = 0
    for calendar in calendars:
        zones = _calendar_zones(calendar, default_timezone)
        groups: dict[str, list[tuple[str, icalendar.Component]]] = defaultdict(list)
        for component in calendar.subcomponents:
            index += 1
            ref = str(component.get("UID") or f"component #{index}")
            if component.name in ("VTODO", "VJOURNAL"):
                result.problems.append(
                    ImportProblem(ref, f"{component.name} skipped: Almanac imports events only")
                )
            elif component.name == "VEVENT":
                groups[str(component.get("UID") or _synthetic_uid(component))].append((ref, component))
        for done, (uid, members) in enumerate(groups.items()):
            if deadline is not None and monotonic() > deadline:
                result.problems.append(ImportProblem(
                    "calendar", f"stopped after {done} of {len(groups)} events: parsing took longer than "
                    f"{budget_seconds:g} s (nothing after that was imported)"))
                break
            _import_group(uid, members, zones, result)
        result.problems.extend(ImportProblem("calendar", problem) for problem in zones.problems)
    return result


def count_events(data: bytes) -> int:
    """VEVENTs in ``data`` without parsing it (to refuse or queue a large import cheaply)."""
    return len(_BEGIN_VEVENT.findall(data))


_BEGIN_VEVENT = re.compile(rb"^BEGIN:VEVENT\s*$", re.IGNORECASE | re.MULTILINE)


def _calendar_zones(calendar: icalendar.Component, default_timezone: str) -> Zones:
    """The file's zones; floating times fall back to X-WR-TIMEZONE, else ``default_timezone``."""
    name = str(calendar.get("X-WR-TIMEZONE", "")).strip()
    calendar_zone = known_zone(name) if name else None
    zones = Zones.of(calendar, calendar_zone or default_timezone)
    zones.calendar_zone = calendar_zone
    if name and calendar_zone is None:
        zones.problems.append(f"X-WR-TIMEZONE {name!r} is not a known time zone: ignored")
    return zones


def _import_group(
    uid: str, members: list[tuple[str, icalendar.Component]], zones: Zones, result: ImportResult
) -> None:
    for _, component in members:
        zones.apply(component)
    fallback = _own_zone(members) or zones.fallback
    masters = [c for _, c in members if "RECURRENCE-ID" not in c]
    modifications = [c for _, c in members if "RECURRENCE-ID" in c]
    ref = members[0][0]
    ranges = [c for c in modifications if _is_this_and_future(c)]
    modifications = [c for c in modifications if not _is_this_and_future(c)]
    try:
        if ranges and not masters:
            raise _Rejected("RECURRENCE-ID;RANGE=THISANDFUTURE without the series it changes")
        if masters:
            master = _highest_sequence(masters)
            if str(master.get("STATUS", "")).upper() == "CANCELLED":
                raise _Rejected("cancelled event (STATUS:CANCELLED) not imported")
            series = _series_from_master(uid, master, fallback)
        elif modifications:
            series = _series_from_modifications_only(uid, modifications, fallback)
        else:
            return
    except _Rejected as error:
        result.problems.append(ImportProblem(ref, str(error)))
        return
    latest: dict[datetime, icalendar.Component] = {}
    for modification in modifications:
        try:
            recurrence_id = _recurrence_id(modification, series)
        except _Rejected as error:
            result.problems.append(ImportProblem(ref, f"RECURRENCE-ID component skipped: {error}"))
            continue
        latest[recurrence_id] = _highest_sequence([latest[recurrence_id], modification]) if recurrence_id in latest else modification
    overrides = dict(series.overrides)
    for recurrence_id, modification in latest.items():
        if _is_stale_copy(modification, recurrence_id, series):
            result.problems.append(
                ImportProblem(
                    ref,
                    f"RECURRENCE-ID {recurrence_id.isoformat()} skipped: an older SEQUENCE of the "
                    "series that is no longer one of its occurrences",
                )
            )
            continue
        try:
            overrides[recurrence_id] = _override(modification, series, fallback)
        except _Rejected as error:
            result.problems.append(ImportProblem(ref, f"RECURRENCE-ID {recurrence_id.isoformat()} skipped: {error}"))
    series = replace(series, overrides=overrides)
    if not ranges:
        result.series.append(series)
        return
    changes: dict[datetime, tuple[icalendar.Component, OverrideSpec]] = {}
    for modification in ranges:
        try:
            recurrence_id = _recurrence_id(modification, series)
            change = _override(modification, series, fallback)
        except _Rejected as error:
            result.problems.append(ImportProblem(ref, f"RECURRENCE-ID;RANGE=THISANDFUTURE skipped: {error}"))
            continue
        if recurrence_id in changes and _sequence(changes[recurrence_id][0]) >= _sequence(modification):
            continue
        changes[recurrence_id] = (modification, change)
    try:
        result.series.extend(split_this_and_future(series, [(rid, c) for rid, (_, c) in changes.items()]))
    except InvalidRecurrence as error:
        result.problems.append(ImportProblem(ref, f"RECURRENCE-ID;RANGE=THISANDFUTURE not applied: {error}"))


def _is_stale_copy(modification: icalendar.Component, recurrence_id: datetime, series: ImportedSeries) -> bool:
    """A RECURRENCE-ID component carrying its own rules from an older SEQUENCE whose
    occurrence the current series no longer has (recurring-ical-events issues 148/164/253)."""
    if not any(name in modification for name in ("RRULE", "RDATE", "EXDATE")):
        return False
    if _sequence(modification) >= series.sequence or recurrence_id in series.exdates:
        return False  # an EXDATE removes it anyway
    bare = replace(series, overrides={})
    around = expand_occurrences(bare.spec(), recurrence_id, recurrence_id + timedelta(seconds=1))
    return not any(o.recurrence_id == recurrence_id for o in around)


def _series_from_master(uid: str, master: icalendar.Component, fallback: str) -> ImportedSeries:
    start_value = _value(master, "DTSTART")
    if start_value is None:
        raise _Rejected("missing DTSTART")
    all_day = not isinstance(start_value, datetime) and _end_is_whole_days(master)
    tz_name = _zone_name(start_value, fallback)
    start = _aware(start_value, tz_name)
    end = _end(master, start_value, start, tz_name, all_day)
    rules = _rules(master)
    rdates: list[datetime] = []
    overrides: dict[datetime, OverrideSpec] = {}
    for value in _date_list(master, "RDATE"):
        if isinstance(value, tuple):
            period_start = _aware(value[0], tz_name, start)
            period_end = (
                nominal_end(period_start, value[1], tz_name) if isinstance(value[1], timedelta)
                else _aware(value[1], tz_name, start)
            )
            if period_end < period_start:
                raise _Rejected(f"RDATE period {value[0]} ends before it starts")
            rdates.append(period_start)
            overrides[period_start.astimezone(UTC)] = OverrideSpec(start=period_start, end=period_end)
        else:
            rdates.append(_aware(value, tz_name, start))
    exdates = tuple(_aware(v, tz_name, start) for v in _date_list(master, "EXDATE") if not isinstance(v, tuple))
    return ImportedSeries(
        uid=uid,
        title=str(master.get("SUMMARY", "")),
        description=str(master.get("DESCRIPTION", "")),
        location=str(master.get("LOCATION", "")),
        start=start,
        end=end,
        all_day=all_day,
        timezone=tz_name,
        rrule=rules,
        rdates=tuple(rdates),
        exdates=exdates,
        overrides=overrides,
        sequence=_sequence(master),
        nominal=_nominal(master, all_day),
        visibility=_visibility(master),
    )


def _end_is_whole_days(component: icalendar.Component) -> bool:
    """A DATE DTSTART with a DATE-TIME DTEND or an hourly DURATION is a timed event from midnight."""
    end_value = _value(component, "DTEND")
    if end_value is not None:
        return not isinstance(end_value, datetime)
    duration = _value(component, "DURATION")
    return not (isinstance(duration, timedelta) and duration.seconds)


def _series_from_modifications_only(uid: str, modifications: list[icalendar.Component], fallback: str) -> ImportedSeries:
    first = min(modifications, key=lambda c: _sort_key(_value(c, "RECURRENCE-ID")))
    recurrence_value = _value(first, "RECURRENCE-ID")
    all_day = not isinstance(recurrence_value, datetime)
    tz_name = _zone_name(recurrence_value, fallback)
    start = _aware(recurrence_value, tz_name)
    probe = ImportedSeries(uid, "", "", "", start, start, all_day, tz_name)
    rdates = sorted({_recurrence_id(c, probe) for c in modifications})
    end = start + timedelta(days=1) if all_day else start
    return ImportedSeries(
        uid=uid,
        title=str(first.get("SUMMARY", "")),
        description=str(first.get("DESCRIPTION", "")),
        location=str(first.get("LOCATION", "")),
        start=start,
        end=end,
        all_day=all_day,
        timezone=tz_name,
        rdates=tuple(rdates),
        sequence=_sequence(first),
    )


def _override(modification: icalendar.Component, series: ImportedSeries, fallback: str) -> OverrideSpec:
    if str(modification.get("STATUS", "")).upper() == "CANCELLED":
        return OverrideSpec(cancelled=True)
    start_value = _value(modification, "DTSTART") or _value(modification, "RECURRENCE-ID")
    tz_name = series.timezone if not isinstance(start_value, datetime) else _zone_name(start_value, fallback)
    start = _aware(start_value, tz_name)
    end = _end(modification, start_value, start, tz_name, not isinstance(start_value, datetime))
    return OverrideSpec(
        start=start,
        end=end,
        title=_optional_text(modification, "SUMMARY"),
        description=_optional_text(modification, "DESCRIPTION"),
        location=_optional_text(modification, "LOCATION"),
    )


def _recurrence_id(modification: icalendar.Component, series: ImportedSeries) -> datetime:
    value = _value(modification, "RECURRENCE-ID")
    if value is None:
        raise _Rejected("RECURRENCE-ID has no value")
    if series.all_day and isinstance(value, datetime):
        value = value.date()  # its own wall date: Outlook writes local midnight in UTC
    return _aware(value, series.timezone, series.start).astimezone(UTC)


def _end(component: icalendar.Component, start_value: date, start: datetime, tz_name: str, all_day: bool) -> datetime:
    end_value = _value(component, "DTEND")
    duration = _value(component, "DURATION")
    if end_value is not None:
        end = _aware(end_value, tz_name)
    elif isinstance(duration, timedelta):
        if all_day:
            end = datetime.combine(start_value + timedelta(days=duration.days), time(), zone(tz_name))
        else:
            end = nominal_end(start, duration, tz_name)
    else:
        end = start + timedelta(days=1) if all_day else start
    if end < start:
        raise _Rejected(f"DTEND {end.isoformat()} is before DTSTART {start.isoformat()}")
    return end


def nominal_end(start: datetime, duration: timedelta, tz_name: str) -> datetime:
    """RFC 5545 3.3.6: the days of a DURATION move the wall clock, the rest is exact time."""
    tz = zone(tz_name)
    days = timedelta(days=duration.days)
    wall = start.astimezone(tz).replace(tzinfo=None) + days
    moved = wall.replace(tzinfo=tz).astimezone(UTC) if days else start.astimezone(UTC)
    return (moved + (duration - days)).astimezone(tz)


def _nominal(component: icalendar.Component, all_day: bool) -> timedelta | None:
    """A timed event's DURATION with whole days (without DTEND) is kept nominal."""
    duration = _value(component, "DURATION")
    if all_day or "DTEND" in component or not isinstance(duration, timedelta) or duration.days <= 0:
        return None
    return duration


def _visibility(component: icalendar.Component) -> str:
    value = str(component.get("CLASS", "")).strip().upper()
    if value in ("PRIVATE", "CONFIDENTIAL"):
        return "PRIVATE"
    return "PUBLIC" if value == "PUBLIC" else "INTERNAL"


def _rules(component: icalendar.Component) -> str | None:
    raw = component.get("RRULE")
    if raw is None:
        return None
    texts = [r.to_ical().decode() for r in (raw if isinstance(raw, list) else [raw])]
    if not any(t.strip() for t in texts):
        return None  # an empty "RRULE:" line, as some generators write it
    try:
        return validate_rrule("\n".join(_NEGATIVE_COUNT.sub("", t) for t in texts))
    except InvalidRecurrence as error:
        raise _Rejected(str(error)) from error


def _date_list(component: icalendar.Component, name: str) -> list[Any]:
    raw = component.get(name)
    if raw is None:
        return []
    values: list[Any] = []
    for entry in raw if isinstance(raw, list) else [raw]:
        values.extend(item.dt for item in entry.dts)
    return values


def _value(component: icalendar.Component, name: str) -> Any:
    prop = component.get(name)
    if prop is None:
        return None
    try:
        return prop.dt
    except (AttributeError, ValueError) as error:
        raise _Rejected(f"{name} is malformed: {error}") from error


def _own_zone(members: list[tuple[str, icalendar.Component]]) -> str | None:
    """The zone Almanac wrote beside an all-day event's DATEs (``X-ALMANAC-TIMEZONE``)."""
    for _, component in members:
        name = str(component.get(OWN_ZONE_PROPERTY, "")).strip()
        if name:
            return known_zone(name)
    return None


def _zone_name(value: date, fallback: str) -> str:
    if not isinstance(value, datetime) or value.tzinfo is None:
        return fallback
    if isinstance(value.tzinfo, ZoneInfo):
        return value.tzinfo.key
    if value.utcoffset() == timedelta(0) and value.tzinfo.tzname(value) in ("UTC", "Z", None):
        return "UTC"
    from icalendar.timezone.tzid import tzids_from_tzinfo

    for candidate in tzids_from_tzinfo(value.tzinfo):
        try:
            return zone(candidate).key
        except InvalidRecurrence:
            continue
    return "UTC"


def _aware(value: date, tz_name: str, like: datetime | None = None) -> datetime:
    """An aware datetime for a DATE, floating or zoned DATE-TIME; a DATE takes ``like``'s local time."""
    tz = zone(tz_name)
    if isinstance(value, datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value
    wall = like.astimezone(tz).time() if like is not None else time()
    return datetime.combine(value, wall, tz)


def _calendar_zone(calendar: icalendar.Calendar, default_timezone: str) -> str:
    name = str(calendar.get("X-WR-TIMEZONE", "")).strip()
    if name:
        try:
            return zone(name).key
        except InvalidRecurrence:
            pass
    return default_timezone


def _is_this_and_future(component: icalendar.Component) -> bool:
    prop = component.get("RECURRENCE-ID")
    return bool(prop is not None and str(prop.params.get("RANGE", "")).upper() == "THISANDFUTURE")


def _highest_sequence(components: list[icalendar.Component]) -> icalendar.Component:
    best = components[0]
    for component in components[1:]:
        if _sequence(component) > _sequence(best):
            best = component
    return best


def _sequence(component: icalendar.Component) -> int:
    try:
        return int(component.get("SEQUENCE", 0))
    except (TypeError, ValueError):
        return 0


def _sort_key(value: date) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time(), UTC)


def _optional_text(component: icalendar.Component, name: str) -> str | None:
    value = component.get(name)
    return None if value is None else str(value)


def _synthetic_uid(component: icalendar.Component) -> str:
    return SYNTHETIC_UID_PREFIX + hashlib.sha256(component.to_ical()).hexdigest()[:32]
