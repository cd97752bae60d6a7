"""The floor for a calendar window: asyncpg fetching the same rows, dateutil expansion, ``json.dumps``.

What any Python server must at least spend on the window: one round trip per source
(run concurrently on a held connection would be faster still, so sequential here, as
Almanac does), each series expanded with dateutil in its own zone, the 9 selected fields
per entry serialized with the standard library. No GraphQL, no ORM, no HTTP.
The entry count is printed next to Almanac's so a drift in either is visible.
"""
from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from dateutil.rrule import rrulestr

EVENTS = """
SELECT e.id, e.title, e.module, e.starts_at, e.ends_at, e.all_day, e.timezone, e.rrule, e.rdates, e.exdates
FROM events e
WHERE (e.visibility <> 'PRIVATE' OR e.owner_id = $3
       OR EXISTS (SELECT 1 FROM event_participants p WHERE p.event_id = e.id AND p.user_id = $3))
  AND e.starts_at < $2
  AND (e.ends_at > $1 OR e.starts_at >= $1 OR e.series_ends_at > $1
       OR (e.series_ends_at IS NULL AND (e.rrule IS NOT NULL OR cardinality(e.rdates) > 0)))
"""
OVERRIDES = """SELECT event_id, recurrence_id, cancelled, starts_at, ends_at, title
FROM event_overrides WHERE event_id = ANY($1::bigint[])"""
TASKS = """SELECT id, title, due_at FROM tasks
WHERE due_at >= $1 AND due_at < $2 AND event_id IS NULL AND status <> 'CANCELLED'"""
PPAS = """SELECT id, title, starts_on, ends_on FROM ppas WHERE status <> 'CANCELLED'
AND ((starts_on >= $1 AND starts_on < $2) OR (ends_on >= $1 AND ends_on < $2))"""
MILESTONES = """SELECT m.id, m.title, m.due_on, p.title FROM ppa_milestones m JOIN ppas p ON p.id = m.ppa_id
WHERE m.due_on >= $1 AND m.due_on < $2 AND p.status <> 'CANCELLED'"""
STAGES = """SELECT s.id, s.stage, s.starts_on, s.ends_on, p.title FROM ppa_stage_schedules s
JOIN ppas p ON p.id = s.ppa_id WHERE s.starts_on < $2 AND s.ends_on >= $1 AND p.status <> 'CANCELLED'"""
ASSESSMENTS = """SELECT id, title, planning_on, data_collection_on, analysis_on, report_on FROM assessments
WHERE (planning_on >= $1 AND planning_on < $2) OR (data_collection_on >= $1 AND data_collection_on < $2)
   OR (analysis_on >= $1 AND analysis_on < $2) OR (report_on >= $1 AND report_on < $2)"""
BOOKINGS = """SELECT b.id, b.starts_at, b.ends_at, b.purpose, b.status, r.name FROM bookings b
JOIN resources r ON r.id = b.resource_id
WHERE b.status IN ('PENDING', 'APPROVED') AND b.starts_at < $2 AND b.ends_at > $1
  AND (b.event_id IS NULL OR EXISTS (SELECT 1 FROM events e WHERE e.id = b.event_id
       AND (e.visibility <> 'PRIVATE' OR e.owner_id = $3
            OR EXISTS (SELECT 1 FROM event_participants p WHERE p.event_id = e.id AND p.user_id = $3))))"""


@dataclass
class FloorRun:
    entries: int
    sql_seconds: float
    total_seconds: float
    json_bytes: int


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _entry(eid: str, kind: str, module: str, title: str, start: datetime, end: datetime | None,
           all_day: bool, tz: str | None, recurrence_id: datetime | None) -> dict[str, Any]:
    return {"id": base64.b64encode(eid.encode()).decode(), "kind": kind, "module": module, "title": title,
            "start": _iso(start), "end": _iso(end), "allDay": all_day, "timezone": tz,
            "recurrenceId": _iso(recurrence_id)}


def _day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _expand(row: Any, overrides: dict[datetime, Any], start: datetime, end: datetime) -> list[dict[str, Any]]:
    tz = ZoneInfo(row["timezone"])
    first = row["starts_at"].astimezone(tz)
    duration = row["ends_at"] - row["starts_at"]
    starts: set[datetime] = set()
    if row["rrule"]:
        rule = rrulestr(row["rrule"], dtstart=first, forceset=True)
        starts.update(rule.between(start - duration - timedelta(days=1), end, inc=True))
    starts.update(d.astimezone(tz) for d in row["rdates"] or ())
    starts.add(first)
    excluded = {d.astimezone(UTC) for d in row["exdates"] or ()}
    entries = []
    for local in sorted(starts):
        recurrence_id = local.astimezone(UTC)
        if recurrence_id in excluded:
            continue
        override = overrides.get(recurrence_id)
        if override is not None and override["cancelled"]:
            continue
        s = override["starts_at"] if override is not None else recurrence_id
        e = override["ends_at"] if override is not None else recurrence_id + duration
        if s < end and (e > start or (s == e and s >= start)):
            title = (override["title"] if override is not None else None) or row["title"]
            entries.append(_entry(f"Event:{row['id']}:{recurrence_id:%Y-%m-%dT%H:%M:%SZ}", "EVENT", row["module"],
                                  title, s, e, row["all_day"], row["timezone"], recurrence_id))
    return entries


async def floor_calendar(conn: asyncpg.Connection, viewer_id: int, start: datetime, end: datetime) -> FloorRun:
    began = time.perf_counter()
    lo, hi = start.astimezone(UTC).date(), (end.astimezone(UTC) - timedelta(microseconds=1)).date() + timedelta(days=1)
    events = await conn.fetch(EVENTS, start, end, viewer_id)
    recurring = [r["id"] for r in events if r["rrule"] or r["rdates"]]
    override_rows = await conn.fetch(OVERRIDES, recurring)
    tasks = await conn.fetch(TASKS, start, end)
    ppas = await conn.fetch(PPAS, lo, hi)
    milestones = await conn.fetch(MILESTONES, lo, hi)
    stages = await conn.fetch(STAGES, lo, hi)
    assessments = await conn.fetch(ASSESSMENTS, lo, hi)
    bookings = await conn.fetch(BOOKINGS, start, end, viewer_id)
    sql_seconds = time.perf_counter() - began

    overrides: dict[int, dict[datetime, Any]] = {}
    for o in override_rows:
        overrides.setdefault(o["event_id"], {})[o["recurrence_id"].astimezone(UTC)] = o
    entries: list[dict[str, Any]] = []
    for row in events:
        if row["rrule"] or row["rdates"]:
            entries.extend(_expand(row, overrides.get(row["id"], {}), start, end))
        else:
            entries.append(_entry(f"Event:{row['id']}", "EVENT", row["module"], row["title"], row["starts_at"],
                                  row["ends_at"], row["all_day"], row["timezone"], None))
    entries += [_entry(f"TaskDue:{pk}", "TASK_DUE", "TASKS", title, due, None, False, None, None)
                for pk, title, due in tasks]
    for pk, title, starts_on, ends_on in ppas:
        for day, prefix, kind, word in ((starts_on, "PpaStart", "PPA_START", "starts"), (ends_on, "PpaEnd", "PPA_END", "ends")):
            if day is not None and lo <= day < hi:
                entries.append(_entry(f"{prefix}:{pk}", kind, "PROJECTS", f"{title} {word}", _day(day),
                                      _day(day) + timedelta(days=1), True, None, None))
    entries += [_entry(f"PpaMilestone:{pk}", "PPA_MILESTONE", "PROJECTS", f"{ppa}: {title}", _day(due),
                       _day(due) + timedelta(days=1), True, None, None) for pk, title, due, ppa in milestones]
    entries += [_entry(f"PpaStage:{pk}", "PPA_STAGE", "PROJECTS", f"{ppa}: {stage}", _day(first),
                       _day(last) + timedelta(days=1), True, None, None) for pk, stage, first, last, ppa in stages]
    for pk, title, *days in assessments:
        for day, prefix in zip(days, ("AssessmentPlanning", "AssessmentDataCollection", "AssessmentAnalysis",
                                      "AssessmentReport"), strict=True):
            if day is not None and lo <= day < hi:
                entries.append(_entry(f"{prefix}:{pk}", "ASSESSMENT_MILESTONE", "MANA", f"{title}: {prefix}",
                                      _day(day), _day(day) + timedelta(days=1), True, None, None))
    entries += [_entry(f"Booking:{pk}", "BOOKING", "RESOURCES", f"{name}: {purpose}", s, e, False, None, None)
                for pk, s, e, purpose, _status, name in bookings]
    entries.sort(key=lambda entry: (entry["start"], entry["id"]))
    body = json.dumps({"data": {"calendar": {"entries": entries}}}).encode()
    return FloorRun(entries=len(entries), sql_seconds=sql_seconds, total_seconds=time.perf_counter() - began,
                    json_bytes=len(body))
