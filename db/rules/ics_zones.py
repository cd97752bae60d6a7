"""Time zones of an iCalendar file, resolved to IANA names without running its VTIMEZONEs.

icalendar turns every VTIMEZONE it parses into a dateutil ``tzical`` zone at once,
iterating each STANDARD/DAYLIGHT rule up to 2038 on the calling thread: two
``FREQ=SECONDLY`` rules in 496 bytes iterate forever. It also caches those zones
for the whole process by TZID, so one file's "Customized Time Zone" would become
every later file's. So VTIMEZONE blocks are renamed before parsing (``hide_vtimezones``)
and this module resolves each TZID itself, in this order:

1. an IANA name (``Europe/Berlin``, also with a leading ``/``);
2. a Windows name (``W. Europe Standard Time``) through the CLDR table icalendar ships;
3. the file's own definition, matched to the IANA zone with the same UTC offsets at
   every transition and between them from ``MATCH_FROM_YEAR`` to ``MATCH_TO_YEAR``
   (Outlook's "Customized Time Zone" and "(UTC+10:00) Canberra, Melbourne, Sydney").
   Transitions are computed with bounded work: YEARLY rules only, at most
   ``MAX_TRANSITIONS_PER_YEAR`` per year per rule.

A TZID none of these resolve is reported and its times are read as floating (in
the calendar's zone), which is what RFC 5545 leaves a client with an unknown zone.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import icalendar
from dateutil.rrule import rrulestr
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from db.rules.recurrence import InvalidRecurrence, zone

HIDDEN_VTIMEZONE = "X-ALMANAC-VTIMEZONE"
MATCH_FROM_YEAR = 2010
MATCH_TO_YEAR = 2037  # zoneinfo's own rules are reliable up to here
MAX_TRANSITIONS_PER_YEAR = 4  # real zones change at most twice a year; Morocco's Ramadan rules four times
_VTIMEZONE_LINE = re.compile(rb"^(BEGIN|END):VTIMEZONE(?=\r?$)", re.IGNORECASE | re.MULTILINE)
_WINDOWS = {name.lower(): iana for name, iana in WINDOWS_TO_OLSON.items()}


def hide_vtimezones(data: bytes) -> bytes:
    """Rename VTIMEZONE components so icalendar parses them as plain data."""
    return _VTIMEZONE_LINE.sub(lambda m: m.group(1) + b":" + HIDDEN_VTIMEZONE.encode(), data)


@dataclass(slots=True)
class Zones:
    """How one calendar's TZIDs map to IANA names; ``fallback`` is the zone of floating times."""

    fallback: str
    calendar_zone: str | None = None  # X-WR-TIMEZONE: UTC times are moved into it
    definitions: dict[str, icalendar.Component] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    _resolved: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def of(cls, calendar: icalendar.Component, fallback: str) -> Zones:
        zones = cls(fallback)
        for component in calendar.subcomponents:
            if component.name == HIDDEN_VTIMEZONE and "TZID" in component:
                zones.definitions.setdefault(_clean(str(component["TZID"])), component)
        return zones

    def resolve(self, tzid: str) -> str | None:
        """The IANA name for ``tzid``, or None (reported once) when nothing matches."""
        key = _clean(tzid)
        if key not in self._resolved:
            self._resolved[key] = self._lookup(key)
        return self._resolved[key]

    def _lookup(self, key: str) -> str | None:
        named = known_zone(key)
        if named is not None:
            return named
        definition = self.definitions.get(key)
        if definition is None:
            self.problems.append(f"time zone {key!r} is unknown and has no VTIMEZONE: its times are read as floating")
            return None
        try:
            transitions = defined_transitions(definition)
        except InvalidRecurrence as error:
            self.problems.append(f"VTIMEZONE {key!r} ignored ({error}): its times are read as floating")
            return None
        match = matching_zone(transitions, key)
        if match is None:
            self.problems.append(f"VTIMEZONE {key!r} matches no IANA zone: its times are read as floating")
        return match


    def apply(self, component: icalendar.Component) -> None:
        """Give every DATE-TIME of an event its resolved zone, in place: a TZID's wall time
        in its IANA zone (floating when unresolved), a UTC time in the calendar's zone."""
        for name in _DATE_PROPERTIES:
            values = component.get(name)
            for prop in values if isinstance(values, list) else [values]:
                if prop is None:
                    continue
                tzid = prop.params.get("TZID")
                try:
                    items = getattr(prop, "dts", None) or [prop]
                    values = [(item, item.dt) for item in items]
                except (AttributeError, ValueError):
                    continue  # a broken value: the importer reports it when it reads the property
                for item, value in values:
                    if isinstance(value, datetime):
                        item.dt = self._zoned(value, tzid)
                    elif isinstance(value, tuple) and value and isinstance(value[0], datetime):
                        end = value[1]
                        item.dt = (self._zoned(value[0], tzid), self._zoned(end, tzid) if isinstance(end, datetime) else end)

    def _zoned(self, value: datetime, tzid: Any) -> datetime:
        if tzid:
            name = self.resolve(str(tzid))
            wall = value.replace(tzinfo=None)
            return wall.replace(tzinfo=zone(name)) if name is not None else wall
        if self.calendar_zone is not None and value.tzinfo is not None and value.utcoffset() == timedelta(0):
            return value.astimezone(zone(self.calendar_zone))
        return value


_DATE_PROPERTIES = ("DTSTART", "DTEND", "RECURRENCE-ID", "RDATE", "EXDATE")


def known_zone(tzid: str) -> str | None:
    """An IANA or Windows zone name as its IANA name."""
    key = _clean(tzid)
    try:
        return zone(key).key
    except InvalidRecurrence:
        pass
    windows = _WINDOWS.get(key.lower())
    return zone(windows).key if windows is not None else None


def _clean(tzid: str) -> str:
    return tzid.strip().strip('"').strip("/").strip()


Transition = tuple[datetime, timedelta]  # (UTC instant, offset from then on)


def defined_transitions(definition: icalendar.Component) -> tuple[timedelta, tuple[Transition, ...]]:
    """The offset before ``MATCH_FROM_YEAR`` and the transitions up to ``MATCH_TO_YEAR``, bounded."""
    changes: list[tuple[datetime, timedelta, timedelta]] = []  # (UTC instant, from, to)
    for part in definition.subcomponents:
        if part.name not in ("STANDARD", "DAYLIGHT"):
            continue
        changes.extend(_part_transitions(part))
    if not changes:
        raise InvalidRecurrence("no STANDARD or DAYLIGHT component")
    changes.sort()
    begin = datetime(MATCH_FROM_YEAR, 1, 1, tzinfo=UTC)
    before = [c for c in changes if c[0] < begin]
    initial = before[-1][2] if before else changes[0][1]
    later = tuple((at, to) for at, _, to in changes if at >= begin)
    return initial, later


def _part_transitions(part: icalendar.Component) -> Iterable[tuple[datetime, timedelta, timedelta]]:
    try:
        props: Any = part
        value: Any = props["DTSTART"].dt
        offset_from: timedelta = props["TZOFFSETFROM"].td
        offset_to: timedelta = props["TZOFFSETTO"].td
    except (KeyError, AttributeError) as error:
        raise InvalidRecurrence(f"{part.name} lacks DTSTART, TZOFFSETFROM or TZOFFSETTO") from error
    if not isinstance(value, date):
        raise InvalidRecurrence(f"{part.name} DTSTART is not a date")
    start = datetime(value.year, value.month, value.day) if not isinstance(value, datetime) else value.replace(tzinfo=None)
    locals_: list[datetime] = [start]
    rule = part.get("RRULE")
    if rule is not None:
        locals_ = list(_rule_transitions(rule, start))
    for rdate in part.get("RDATE", []) if isinstance(part.get("RDATE"), list) else [part.get("RDATE")]:
        if rdate is not None:
            locals_.extend(d.dt.replace(tzinfo=None) for d in rdate.dts if isinstance(d.dt, datetime))
    for local in locals_:
        yield (local - offset_from).replace(tzinfo=UTC), offset_from, offset_to


def _rule_transitions(rule: Any, start: datetime) -> Iterable[datetime]:
    """A STANDARD/DAYLIGHT RRULE's local transition times up to ``MATCH_TO_YEAR``: YEARLY
    only, restarted in 1970 when DTSTART is older (Outlook writes 1601), never more than
    ``MAX_TRANSITIONS_PER_YEAR`` a year."""
    text = rule.to_ical().decode()
    parts = dict(item.partition("=")[::2] for item in text.upper().split(";") if item)
    if parts.get("FREQ") != "YEARLY":
        raise InvalidRecurrence(f"a time zone rule must be FREQ=YEARLY, not {parts.get('FREQ')!r}")
    if "COUNT" not in parts and start.year < 1970:
        start = start.replace(year=1970 if start.month != 2 or start.day != 29 else 1972)
    try:
        compiled = rrulestr(text, dtstart=start, ignoretz=True)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
        raise InvalidRecurrence(f"malformed time zone rule: {error}") from error
    limit = (MATCH_TO_YEAR - start.year + 1) * MAX_TRANSITIONS_PER_YEAR
    found: list[datetime] = []
    for moment in compiled.xafter(start, inc=True):
        if moment.year > MATCH_TO_YEAR:
            break
        found.append(moment)
        if len(found) > limit:
            raise InvalidRecurrence(
                f"a time zone rule changes the offset more than {MAX_TRANSITIONS_PER_YEAR} times a year"
            )
    return found


def matching_zone(transitions: tuple[timedelta, tuple[Transition, ...]], tzid: str = "") -> str | None:
    """An IANA zone with the same offsets from ``MATCH_FROM_YEAR`` to ``MATCH_TO_YEAR``; among
    several, one whose city the TZID names ("(UTC+10:00) Canberra, Melbourne, Sydney"), else the first."""
    matches = _matches(transitions)
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", tzid)}
    for name in matches:
        if name.rsplit("/", 1)[-1].replace("_", " ").lower() in words:
            return name
    return matches[0] if matches else None


@lru_cache(maxsize=256)
def _matches(transitions: tuple[timedelta, tuple[Transition, ...]]) -> list[str]:
    initial, changes = transitions
    probes: list[tuple[datetime, timedelta]] = [(datetime(MATCH_FROM_YEAR, 1, 1, tzinfo=UTC), initial)]
    previous = initial
    for at, offset in changes:
        probes.append((at - timedelta(seconds=1), previous))
        probes.append((at, offset))
        previous = offset
    probes.append((datetime(MATCH_TO_YEAR, 12, 31, tzinfo=UTC), previous))
    return [name for name in _candidates() if _agrees(ZoneInfo(name), probes, changes)]


def _agrees(tz: ZoneInfo, probes: list[tuple[datetime, timedelta]], changes: tuple[Transition, ...]) -> bool:
    if any(at.astimezone(tz).utcoffset() != offset for at, offset in probes):
        return False
    # No extra transition in between: the zone changes its offset as often, every year.
    return all(
        _transition_count(tz, year) == sum(1 for at, _ in changes if at.year == year)
        for year in range(MATCH_FROM_YEAR, MATCH_TO_YEAR + 1)
    )


@lru_cache(maxsize=32768)
def _transition_count(tz: ZoneInfo, year: int) -> int:
    moment = datetime(year, 1, 1, tzinfo=UTC)
    offsets = [(moment + timedelta(days=d)).astimezone(tz).utcoffset() for d in range(0, 367, 7)]
    return sum(1 for a, b in pairwise(offsets) if a != b)


@lru_cache(maxsize=1)
def _candidates() -> list[str]:
    """Canonical-looking names first (Area/City), legacy aliases (EST5EDT, US/Eastern) last."""
    names = sorted(available_timezones())
    areas = ("Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/", "Pacific/")
    return [n for n in names if n.startswith(areas)] + [n for n in names if n.startswith("Etc/")]
