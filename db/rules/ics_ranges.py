"""RECURRENCE-ID;RANGE=THISANDFUTURE on import: the series is split, as Almanac stores such edits.

RFC 5545 3.8.4.4: the named instance "and all subsequent instances" change; a new start
reschedules every later instance "by the same time difference", a new length gives them
the same length. Almanac keeps one rule per event, so a series with changes from
instances r1 < r2 < ... becomes:

- the head: the original occurrences before r1 (UID unchanged); dropped when r1 is
  the first occurrence, the first segment then keeps the UID;
- one segment per change: the original occurrences from r_i to before r_(i+1), moved
  by the change's wall-clock difference (the ``recurring-ical-events`` library moves
  them the same way), lasting the changed length, with the changed title, description
  and location. Its UID is ``<UID>/<r_i in UTC>`` so re-importing updates it in place.

RDATEs, EXDATEs and single-instance overrides follow their segment (their keys move
with it; an override's own new times do not). A rule whose BYDAY/BYHOUR... parts name
the old day or hour explicitly keeps naming it: the segment's rule is the original
one restarted at the moved start.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from db.rules.icalendar_import_types import ImportedSeries
from db.rules.recurrence import OverrideSpec, normalize_until, split_series, zone

MAX_UID = 255


def split_this_and_future(series: ImportedSeries, changes: Sequence[tuple[datetime, OverrideSpec]]) -> list[ImportedSeries]:
    """The head and one segment per change (sorted by RECURRENCE-ID, UTC)."""
    changes = sorted(changes, key=lambda change: change[0])
    cuts = [rid for rid, _ in changes]
    pieces: list[ImportedSeries] = []
    first_rid = cuts[0]
    if first_rid > series.start.astimezone(UTC):
        pieces.append(_part(series, None, first_rid))
    for index, (rid, change) in enumerate(changes):
        until = cuts[index + 1] if index + 1 < len(cuts) else None
        segment = _part(series, rid, until)
        uid = series.uid if not pieces else _segment_uid(series.uid, rid)
        pieces.append(_moved(segment, rid, change, uid))
    return pieces


def _part(series: ImportedSeries, since: datetime | None, until: datetime | None) -> ImportedSeries:
    """The original occurrences in ``[since, until)`` (UTC) as a series of their own."""
    rule = series.rrule
    start = series.start
    if since is not None:
        if rule:
            _, rule = split_series(rule, series.start, since, timezone_name=series.timezone, all_day=series.all_day)
        start = since.astimezone(zone(series.timezone))
    if until is not None and rule:
        rule, _ = split_series(rule, start, until, timezone_name=series.timezone, all_day=series.all_day)

    def inside(moment: datetime) -> bool:
        utc = moment.astimezone(UTC)
        return (since is None or utc >= since) and (until is None or utc < until)

    return replace(
        series,
        start=start,
        end=start.astimezone(UTC) + (series.end.astimezone(UTC) - series.start.astimezone(UTC)),
        rrule=rule,
        rdates=tuple(r for r in series.rdates if inside(r) and r.astimezone(UTC) != (since or r).astimezone(UTC)),
        exdates=tuple(x for x in series.exdates if inside(x)),
        overrides={k: o for k, o in series.overrides.items() if inside(k) and k != since},
    )


def _moved(segment: ImportedSeries, rid: datetime, change: OverrideSpec, uid: str) -> ImportedSeries:
    tz = zone(segment.timezone)
    new_start = (change.start or rid).astimezone(tz)
    wall_shift = new_start.replace(tzinfo=None) - rid.astimezone(tz).replace(tzinfo=None)

    def shift(moment: datetime) -> datetime:
        return (moment.astimezone(tz).replace(tzinfo=None) + wall_shift).replace(tzinfo=tz).astimezone(UTC)

    length = (change.end.astimezone(UTC) - new_start.astimezone(UTC)) if change.end is not None else \
        segment.end.astimezone(UTC) - segment.start.astimezone(UTC)
    rule = segment.rrule
    if rule:
        rule = _shift_until(normalize_until(rule, timezone_name=segment.timezone, all_day=segment.all_day),
                            wall_shift, segment.all_day)
    return replace(
        segment,
        uid=uid,
        title=change.title if change.title is not None else segment.title,
        description=change.description if change.description is not None else segment.description,
        location=change.location if change.location is not None else segment.location,
        start=new_start,
        end=(new_start.astimezone(UTC) + length).astimezone(tz),
        rrule=rule,
        rdates=tuple(shift(r) for r in segment.rdates),
        exdates=tuple(shift(x) for x in segment.exdates),
        overrides={shift(k): o for k, o in segment.overrides.items()},
        nominal=None if change.end is not None else segment.nominal,
    )


def _shift_until(rule: str, shift: timedelta, all_day: bool) -> str:
    lines = []
    for line in rule.split("\n"):
        parts = [p.partition("=") for p in line.split(";")]
        out = []
        for key, _, value in parts:
            if key == "UNTIL":
                if all_day:
                    value = (datetime.strptime(value, "%Y%m%d") + shift).strftime("%Y%m%d")
                else:
                    value = (datetime.strptime(value, "%Y%m%dT%H%M%SZ") + shift).strftime("%Y%m%dT%H%M%SZ")
            out.append(f"{key}={value}")
        lines.append(";".join(out))
    return "\n".join(lines)


def _segment_uid(uid: str, rid: datetime) -> str:
    suffix = "/" + rid.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    if len(uid) + len(suffix) <= MAX_UID:
        return uid + suffix
    return hashlib.sha256(uid.encode()).hexdigest()[:40] + suffix
