"""RFC 5545 recurrence expansion of one event series, on plain data (no I/O).

Conventions (the same ones the ``events`` table uses):

- Every datetime is aware. ``start``/``end`` are instants; the rule is expanded
  in the wall time of ``timezone`` (an IANA name), so a weekly 09:00
  Europe/Berlin meeting stays at 09:00 local across DST changes. A wall time that
  does not exist (spring-forward gap) resolves with the offset before the gap, an
  ambiguous one (fall-back) to its first occurrence, as RFC 5545 3.3.5 asks.
- An all-day event starts at local midnight of its first day in ``timezone`` and
  ends at local midnight after its last day; it expands by date.
- ``rrule`` is the RRULE value without the ``RRULE:`` prefix. Several rules may be
  given one per line (RFC 5545 deprecates that, but imported calendars use it).
- ``rdates``, ``exdates`` and override keys are the original starts of occurrences
  (for all-day events: local midnight). DTSTART is always the first occurrence
  (RFC 5545 3.8.5.3) unless UNTIL lies before it (a deleted series, as some
  servers write it).
- Instants, not wall times, identify occurrences: DTSTART, RDATEs, EXDATEs and
  override keys are compared in UTC, so the two 01:30s of a fall-back night stay
  two occurrences and an EXDATE or override of the second one hits only it.
- Timed occurrences last the exact duration ``end - start`` (RFC 5545 3.8.5.3: a
  DTEND gives every instance the same exact duration); a series imported with a
  DURATION of whole days keeps it nominal (``SeriesSpec.nominal``: the days are
  added to the wall time, the rest exactly); all-day ones last the same number of days. Zero-length occurrences (``end == start``:
  DTEND equal to DTSTART, or a DATE-TIME DTSTART alone) are valid.
- Window rule: an occurrence ``[s, e)`` with ``s < e`` is in the window
  ``[window_start, window_end)`` iff ``s < window_end and e > window_start``; a
  zero-length one at instant ``t`` iff ``window_start <= t < window_end``. The SQL
  prefilter ``db.queries.event.overlaps_window`` follows the same rule.
- Expansion is bounded: a series yielding more than ``MAX_OCCURRENCES_PER_SERIES``
  occurrences in one window raises ``ExpansionLimit`` (the caller asks for a
  narrower window); rules are checked by ``db.rules.rrule_checks`` first.
- An override (RECURRENCE-ID) is trusted to name an occurrence of the series; it
  appears wherever its new times fall, a cancelled one not at all, and an EXDATE
  of its original start removes it.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule, rrulestr

from db.rules.rrule_checks import RULE_KEYS, InvalidRecurrence, check_parts, probe_occurs

__all__ = ["ExpansionLimit", "InvalidRecurrence"]

_DST_MARGIN = timedelta(hours=3)
# 5,000 occurrences: every quarter hour for 52 days, hourly for 208, daily for 13 years;
# about 10 ms of expansion. More in one window is no calendar a person reads.
MAX_OCCURRENCES_PER_SERIES = 5000


class ExpansionLimit(Exception):
    """A window holds more occurrences than a response may carry; narrow the window."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"More than {limit} occurrences in this window: ask for a narrower window.")
        self.limit = limit


@dataclass(frozen=True, slots=True)
class OverrideSpec:
    """One occurrence of a series changed or cancelled (an EventOverride row)."""

    cancelled: bool = False
    start: datetime | None = None
    end: datetime | None = None
    title: str | None = None
    description: str | None = None
    location: str | None = None


@dataclass(frozen=True, slots=True)
class SeriesSpec:
    """What expansion needs of an event; build it with ``SeriesSpec.from_event`` for ORM rows."""

    start: datetime
    end: datetime
    all_day: bool = False
    timezone: str = "UTC"
    rrule: str | None = None
    rdates: Sequence[datetime] = ()
    exdates: Sequence[datetime] = ()
    overrides: Mapping[datetime, OverrideSpec] = field(default_factory=dict)
    nominal: timedelta | None = None  # a DURATION of whole days: days on the wall clock, the rest exact

    @property
    def is_recurring(self) -> bool:
        return bool(self.rrule or self.rdates)

    @classmethod
    def from_event(cls, event: EventLike, overrides: Iterable[EventOverrideLike] = ()) -> SeriesSpec:
        return cls(
            start=event.starts_at,
            end=event.ends_at,
            all_day=event.all_day,
            timezone=event.timezone,
            rrule=event.rrule,
            rdates=tuple(event.rdates or ()),
            exdates=tuple(event.exdates or ()),
            nominal=getattr(event, "nominal_duration", None),
            overrides={
                o.recurrence_id.astimezone(UTC): OverrideSpec(
                    cancelled=o.cancelled,
                    start=o.starts_at,
                    end=o.ends_at,
                    title=o.title,
                    description=o.description,
                    location=o.location,
                )
                for o in overrides
            },
        )


class EventLike(Protocol):
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    timezone: str
    rrule: str | None
    rdates: list[datetime]
    exdates: list[datetime]


class EventOverrideLike(Protocol):
    recurrence_id: datetime
    cancelled: bool
    starts_at: datetime | None
    ends_at: datetime | None
    title: str | None
    description: str | None
    location: str | None


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One occurrence: ``recurrence_id`` is its original start in UTC (None if not recurring)."""

    recurrence_id: datetime | None
    start: datetime
    end: datetime
    override: OverrideSpec | None = None


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidRecurrence(f"unknown time zone {name!r} (expected an IANA name)") from error


def validate_rrule(text: str) -> str:
    """Return the rule(s) normalised (upper case, no ``RRULE:`` prefix) or raise InvalidRecurrence."""
    lines = _rule_lines(text)
    if not lines:
        raise InvalidRecurrence("empty RRULE")
    for line in lines:
        parts = _rule_parts(line)
        if "UNTIL" in parts:
            _parse_until(parts["UNTIL"])
        _compile(line, datetime(2000, 1, 1), "UTC", False, probe=False)  # whether it occurs depends on DTSTART
    return "\n".join(lines)


def normalize_until(text: str, *, timezone_name: str, all_day: bool) -> str:
    """The rule(s) with UNTIL in the form RFC 5545 requires for the series' DTSTART:
    a DATE for all-day series, a UTC DATE-TIME otherwise (floating or DATE values are
    read as this module expands them: local wall time; a DATE as the end of that day)."""
    tz = zone(timezone_name)
    lines = []
    for line in _rule_lines(text):
        parts = _rule_parts(line)
        if "UNTIL" in parts:
            until = _parse_until(parts["UNTIL"])
            if isinstance(until, datetime):
                local = until.astimezone(tz) if until.tzinfo else until.replace(tzinfo=tz)
            else:
                local = datetime.combine(until, time() if all_day else time(23, 59, 59), tz)
            parts["UNTIL"] = (
                local.strftime("%Y%m%d") if all_day else local.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
            )
        lines.append(_join_parts(parts))
    return "\n".join(lines)


def expand_occurrences(series: SeriesSpec, window_start: datetime, window_end: datetime) -> list[Occurrence]:
    """Occurrences in ``[window_start, window_end)`` by the window rule above, sorted by start."""
    if not series.is_recurring:
        if _overlaps(series.start, series.end, window_start, window_end):
            return [Occurrence(None, series.start, series.end)]
        return []
    tz = zone(series.timezone)
    overrides = series.overrides
    result: list[Occurrence] = []
    for original in _original_starts(series, tz, window_start, window_end):
        if original in overrides:
            continue
        end = _end_of(original, series, tz)
        if _overlaps(original, end, window_start, window_end):
            result.append(Occurrence(original, original.astimezone(tz), end.astimezone(tz)))
    if overrides:
        excluded = _exclusions(series, tz)
        for recurrence_id, override in overrides.items():
            if override.cancelled or override.start is None or _is_excluded(recurrence_id, excluded, series.all_day, tz):
                continue
            end = override.end if override.end is not None else _end_of(override.start.astimezone(UTC), series, tz)
            if _overlaps(override.start, end, window_start, window_end):
                result.append(Occurrence(recurrence_id.astimezone(UTC), override.start, end, override))
    if len(result) > MAX_OCCURRENCES_PER_SERIES:
        raise ExpansionLimit(MAX_OCCURRENCES_PER_SERIES)
    result.sort(key=lambda o: (o.start.astimezone(UTC), o.recurrence_id or o.start))
    return result


def series_start(series: SeriesSpec) -> datetime:
    """Start of the first occurrence: DTSTART, an earlier RDATE or an override moved earlier."""
    tz = zone(series.timezone)
    candidates = [series.start.astimezone(UTC)]
    candidates += [_rdate_start(rd, series, tz) for rd in series.rdates]
    candidates += [o.start.astimezone(UTC) for o in series.overrides.values() if not o.cancelled and o.start is not None]
    return min(candidates)


def series_end(series: SeriesSpec) -> datetime | None:
    """End of the last occurrence, or None for an endless series (``Event.series_ends_at``)."""
    tz = zone(series.timezone)
    candidates = [_end_of(_rdate_start(rd, series, tz), series, tz) for rd in series.rdates]
    candidates += [
        o.end.astimezone(UTC) if o.end is not None else _end_of(o.start.astimezone(UTC), series, tz)
        for o in series.overrides.values()
        if not o.cancelled and o.start is not None
    ]
    excluded = _exclusions(series, tz)
    dtstart = _local_naive(series.start, tz)
    rules = [_compile(line, dtstart, series.timezone, series.all_day) for line in _rule_lines(series.rrule or "")]
    if any(not rule.bounded for rule in rules):
        return None
    if not any(rule.ends_before(dtstart) for rule in rules):
        candidates.append(_end_of(series.start.astimezone(UTC), series, tz))
    for rule in rules:
        last = _last_start(rule, series, tz, excluded)
        if last is not None:
            candidates.append(_end_of(last, series, tz))
    return max(candidates, default=None)


def _last_start(rule: _Rule, series: SeriesSpec, tz: ZoneInfo, excluded: frozenset[datetime] | frozenset[date]) -> datetime | None:
    """The last start of a bounded rule that no EXDATE removes (UTC)."""
    dtstart = _local_naive(series.start, tz)
    if rule.until is None:  # COUNT: at most MAX_COUNT occurrences from DTSTART
        candidates = list(deque(rule.rule, maxlen=len(series.exdates) + 1))
    else:  # UNTIL: walk back from it in growing steps rather than from DTSTART
        span = rule.step * (len(series.exdates) + 2)
        while True:
            lo = max(dtstart, rule.until - span)
            candidates = _between(_rebased(rule, dtstart, lo, series.timezone, series.all_day), lo, rule.until)
            if candidates or lo == dtstart:
                break
            span *= 4
    for naive in reversed(candidates):
        start = _instant(naive, dtstart, series, tz)
        if not _is_excluded(start, excluded, series.all_day, tz):
            return start
    return None


def split_series(
    rrule_text: str,
    dtstart: datetime,
    split_at: datetime,
    *,
    timezone_name: str = "UTC",
    all_day: bool = False,
) -> tuple[str | None, str | None]:
    """Split a rule at the occurrence ``split_at`` for a THIS_AND_FOLLOWING edit.

    Returns ``(head, tail)``: ``head`` is the rule for the series that keeps
    ``dtstart`` (UNTIL just before ``split_at``; None when nothing remains before
    it), ``tail`` the rule for the new series starting at ``split_at`` (None when
    nothing remains). COUNT is never copied: the tail gets the number of
    occurrences the original had left from ``split_at`` on, so the two series
    together keep exactly the original occurrences; UNTIL is kept as it was.
    """
    tz = zone(timezone_name)
    local_start, local_split = _local_naive(dtstart, tz), _local_naive(split_at, tz)
    if all_day:
        head_until = (local_split.date() - timedelta(days=1)).strftime("%Y%m%d")
    else:
        head_until = (split_at.astimezone(UTC) - timedelta(seconds=1)).strftime("%Y%m%dT%H%M%SZ")
    heads: list[str] = []
    tails: list[str] = []
    for line in _rule_lines(rrule_text):
        parts = _rule_parts(line)
        if local_split > local_start:
            heads.append(_join_parts({**{k: v for k, v in parts.items() if k != "COUNT"}, "UNTIL": head_until}))
        if "COUNT" in parts:
            rule = _compile(line, local_start, timezone_name, all_day).rule
            done = len([d for d in rule.between(local_start, local_split, inc=True) if d < local_split])
            remaining = int(parts["COUNT"]) - done
            if remaining > 0:
                tails.append(_join_parts({**parts, "COUNT": str(remaining)}))
        elif _compile(line, local_split, timezone_name, all_day).rule.after(local_split, inc=True) is not None:
            tails.append(line)
    return ("\n".join(heads) or None), ("\n".join(tails) or None)


def _original_starts(series: SeriesSpec, tz: ZoneInfo, window_start: datetime, window_end: datetime) -> list[datetime]:
    """Distinct, non-excluded original starts (UTC instants) that may overlap the window."""
    span = _duration(series) + (timedelta(days=series.nominal.days) if series.nominal else timedelta(0))
    if series.all_day:
        span = max(span, timedelta(days=(_local_naive(series.end, tz) - _local_naive(series.start, tz)).days))
    if series.overrides:
        span = max(span, max((_override_span(rid, o) for rid, o in series.overrides.items()), default=span))
    first, last = window_start - span - _DST_MARGIN, window_end + _DST_MARGIN
    lo, hi = _local_naive(first, tz), _local_naive(last, tz)
    dtstart = _local_naive(series.start, tz)
    starts: set[datetime] = set()
    include_dtstart = True
    for line in _rule_lines(series.rrule or ""):
        rule = _compile(line, dtstart, series.timezone, series.all_day)
        if rule.ends_before(dtstart):
            include_dtstart = False
            continue
        _refuse_dense(rule, max(lo, dtstart), min(hi, rule.until or hi))
        rebased = _rebased(rule, dtstart, lo, series.timezone, series.all_day)
        starts.update(_instant(naive, dtstart, series, tz) for naive in _between(rebased, lo, hi))
    if include_dtstart and first <= series.start <= last:
        starts.add(series.start.astimezone(UTC))
    for rdate in series.rdates:
        start = _rdate_start(rdate, series, tz)
        if first <= start <= last:
            starts.add(start)
    if series.exdates:
        excluded = _exclusions(series, tz)
        starts = {s for s in starts if not _is_excluded(s, excluded, series.all_day, tz)}
    return sorted(starts)


def _refuse_dense(rule: _Rule, lo: datetime, hi: datetime) -> None:
    """ExpansionLimit without iterating when a plain FREQ/INTERVAL rule has far too many steps."""
    if rule.one_per_step and hi > lo and (hi - lo) // rule.step > MAX_OCCURRENCES_PER_SERIES + _MARGIN_OCCURRENCES:
        raise ExpansionLimit(MAX_OCCURRENCES_PER_SERIES)


_MARGIN_OCCURRENCES = 500  # starts just outside the window (DST margins, long occurrences) counted while iterating


def _between(rule: rrule, lo: datetime, hi: datetime) -> list[datetime]:
    """``rule.between(lo, hi, inc=True)`` that stops past ``MAX_OCCURRENCES_PER_SERIES``."""
    found: list[datetime] = []
    for naive in rule.xafter(lo, inc=True):
        if naive > hi:
            break
        found.append(naive)
        if len(found) > MAX_OCCURRENCES_PER_SERIES + _MARGIN_OCCURRENCES:  # the window's count is checked exactly later
            raise ExpansionLimit(MAX_OCCURRENCES_PER_SERIES)
    return found


def _instant(naive: datetime, dtstart: datetime, series: SeriesSpec, tz: ZoneInfo) -> datetime:
    """The UTC instant of a rule's wall time; DTSTART's wall time is DTSTART itself, so a
    series starting in the second (repeated) hour of a fall-back night keeps that instant."""
    if naive == dtstart:
        return series.start.astimezone(UTC)
    return _localize(naive, tz).astimezone(UTC)


def _rdate_start(rdate: datetime, series: SeriesSpec, tz: ZoneInfo) -> datetime:
    if series.all_day:
        return _localize(datetime.combine(rdate.astimezone(tz).date(), time()), tz).astimezone(UTC)
    return rdate.astimezone(UTC)


def _duration(series: SeriesSpec) -> timedelta:
    """The exact length (in UTC: aware datetimes of one zone subtract as wall times)."""
    return series.end.astimezone(UTC) - series.start.astimezone(UTC)


def _override_span(recurrence_id: datetime, override: OverrideSpec) -> timedelta:
    """How far before its new start an override's original start may lie."""
    if override.cancelled or override.start is None:
        return timedelta(0)
    return max(timedelta(0), (override.end or override.start).astimezone(UTC) - recurrence_id.astimezone(UTC))


def _exclusions(series: SeriesSpec, tz: ZoneInfo) -> frozenset[datetime] | frozenset[date]:
    if series.all_day:
        return frozenset(ex.astimezone(tz).date() for ex in series.exdates)
    return frozenset(ex.astimezone(UTC) for ex in series.exdates)


def _is_excluded(start: datetime, excluded: frozenset[datetime] | frozenset[date], all_day: bool, tz: ZoneInfo) -> bool:
    if not excluded:
        return False
    return (start.astimezone(tz).date() if all_day else start.astimezone(UTC)) in excluded


def _end_of(start: datetime, series: SeriesSpec, tz: ZoneInfo) -> datetime:
    """The end (UTC) of an occurrence starting at the UTC instant ``start``."""
    if series.all_day:
        days = (series.end.astimezone(tz).date() - series.start.astimezone(tz).date()).days
        return _localize(datetime.combine(start.astimezone(tz).date() + timedelta(days=days), time()), tz).astimezone(UTC)
    if series.nominal is not None and series.nominal.days:
        wall = _local_naive(start, tz) + timedelta(days=series.nominal.days)
        return _localize(wall, tz).astimezone(UTC) + (series.nominal - timedelta(days=series.nominal.days))
    return start + _duration(series)


def _overlaps(start: datetime, end: datetime, window_start: datetime, window_end: datetime) -> bool:
    if start == end:  # a zero-length occurrence is an instant: in the window iff window_start <= t < window_end
        return window_start <= start < window_end
    return start < window_end and end > window_start


def _local_naive(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz).replace(tzinfo=None)


def _localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """Attach ``tz`` to a wall time: an ambiguous one is its first occurrence (fold=0), a
    non-existent one takes the offset before the gap (RFC 5545 3.3.5), normalised past it."""
    return naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)


def _rule_lines(text: str) -> list[str]:
    lines = []
    for raw in text.replace("\r", "\n").split("\n"):
        line = raw.strip().upper()
        line = line.removeprefix("RRULE:")
        if line and line not in lines:
            lines.append(line)
    return lines


def _rule_parts(line: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for item in line.split(";"):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep or not value:
            raise InvalidRecurrence(f"RRULE part {item!r} is not NAME=VALUE")
        if key not in RULE_KEYS:
            raise InvalidRecurrence(f"unknown RRULE part {key!r}")
        if key in parts:
            raise InvalidRecurrence(f"RRULE part {key} appears twice")
        parts[key] = value
    check_parts(parts, line)
    return parts


def _join_parts(parts: Mapping[str, str]) -> str:
    return ";".join(f"{key}={value}" for key, value in parts.items())


def _parse_until(value: str) -> date | datetime:
    try:
        if len(value) == 8:
            return datetime.strptime(value, "%Y%m%d").date()
        if len(value) == 16 and value.endswith("Z"):
            return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        if len(value) == 15:
            return datetime.strptime(value, "%Y%m%dT%H%M%S")
    except ValueError:
        pass
    raise InvalidRecurrence(f"RRULE UNTIL {value!r} is not a DATE or DATE-TIME")


class _Rule(NamedTuple):
    rule: rrule
    until: datetime | None  # naive local wall time
    bounded: bool
    explicit: str | None  # the rule with DTSTART-derived parts spelled out; None if not rebasable
    step: timedelta  # at least one period of the rule
    one_per_step: bool  # no BYxxx part: exactly one occurrence per step (FREQ=MINUTELY;INTERVAL=15)

    def ends_before(self, dtstart: datetime) -> bool:
        return self.until is not None and self.until < dtstart


@lru_cache(maxsize=8192)
def _compile(line: str, dtstart: datetime, timezone_name: str, all_day: bool, *, probe: bool = True) -> _Rule:
    """A dateutil rule over naive local wall times, UNTIL converted to the same wall clock.

    UNTIL as a DATE on a timed series includes that whole local day; a UTC UNTIL
    is converted to local wall time; a floating UNTIL is taken as local wall time.
    """
    parts = _rule_parts(line)
    local: datetime | None = None
    if "UNTIL" in parts:
        until = _parse_until(parts["UNTIL"])
        if isinstance(until, datetime) and until.tzinfo is not None:
            local = _local_naive(until, zone(timezone_name))
        elif isinstance(until, datetime):
            local = until
        else:
            local = datetime.combine(until, time() if all_day else time(23, 59, 59))
        if all_day:
            local = datetime.combine(local.date(), time())
        parts["UNTIL"] = local.strftime("%Y%m%dT%H%M%S")
    if probe:
        probe_occurs(parts, dtstart)
    try:
        compiled = rrulestr(_join_parts(parts), dtstart=dtstart, cache=False)
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise InvalidRecurrence(f"malformed RRULE {line!r}: {error}") from error
    assert isinstance(compiled, rrule)
    explicit = None if "COUNT" in parts else _join_parts(_with_dtstart_parts(parts, dtstart))
    step = _FIXED_STEPS.get(parts["FREQ"], timedelta(days=366 if parts["FREQ"] == "YEARLY" else 31))
    one_per_step = not any(key.startswith("BY") for key in parts) and parts["FREQ"] in _FIXED_STEPS
    return _Rule(compiled, local, local is not None or "COUNT" in parts, explicit,
                 step * int(parts.get("INTERVAL", "1")), one_per_step)


_FIXED_STEPS = {
    "SECONDLY": timedelta(seconds=1), "MINUTELY": timedelta(minutes=1), "HOURLY": timedelta(hours=1),
    "DAILY": timedelta(days=1), "WEEKLY": timedelta(weeks=1),
}
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _rebased(rule: _Rule, dtstart: datetime, lo: datetime, timezone_name: str, all_day: bool) -> rrule:
    """The same rule restarted a whole number of INTERVALs after DTSTART, just before ``lo``.

    dateutil iterates from DTSTART, so a daily rule from 2015 queried for 2030 would
    walk 5,000 instances. Without COUNT, and with the parts RFC 5545 derives from
    DTSTART spelled out, restarting k*INTERVAL periods later (same phase, same wall
    time) yields exactly the same instances from there on.
    """
    if rule.explicit is None or lo <= dtstart:
        return rule.rule
    parts = _rule_parts(rule.explicit)
    interval = int(parts.get("INTERVAL", "1"))
    freq = parts["FREQ"]
    if freq in _FIXED_STEPS:
        step = _FIXED_STEPS[freq] * interval
        periods = (lo - dtstart) // step - 1
        if periods < 2:
            return rule.rule
        restart = dtstart + step * periods
    else:
        months = (lo.year - dtstart.year) * 12 + lo.month - dtstart.month
        unit = interval * (12 if freq == "YEARLY" else 1)
        periods = months // unit - 1
        if periods < 2:
            return rule.rule
        restart = dtstart + relativedelta(months=unit * periods)
    return _compile(rule.explicit, restart, timezone_name, all_day, probe=False).rule


def _with_dtstart_parts(parts: Mapping[str, str], dtstart: datetime) -> dict[str, str]:
    """RFC 5545 3.3.10: parts a rule leaves out are taken from DTSTART (as dateutil does)."""
    explicit = dict(parts)
    freq = parts["FREQ"]
    if not any(key in parts for key in ("BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY")):
        if freq == "YEARLY":
            explicit.setdefault("BYMONTH", str(dtstart.month))
            explicit["BYMONTHDAY"] = str(dtstart.day)
        elif freq == "MONTHLY":
            explicit["BYMONTHDAY"] = str(dtstart.day)
        elif freq == "WEEKLY":
            explicit["BYDAY"] = _WEEKDAYS[dtstart.weekday()]
    if freq in ("YEARLY", "MONTHLY", "WEEKLY", "DAILY"):
        explicit.setdefault("BYHOUR", str(dtstart.hour))
    if freq in ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY"):
        explicit.setdefault("BYMINUTE", str(dtstart.minute))
    if freq != "SECONDLY":
        explicit.setdefault("BYSECOND", str(dtstart.second))
    return explicit
