"""Which changes a subscription's filter selects: pure rules over a change's payload (no I/O).

Who may receive a change is not decided here: that is the change's audience, written
from the entity's access policy (``db.policies``) and checked with ``Change.reaches``.
These rules only match topics: module, start/end, old_start/old_end, series_ends_at,
ppa_id, resource_id, status, assignee and team ids.
"""
from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from db.enums import CalendarModule

FOREVER = datetime.max.replace(tzinfo=UTC)

# Entity types whose changes can add, move or remove calendar entries.
CALENDAR_SOURCES = frozenset(
    {"Event", "EventOverride", "Task", "Ppa", "PpaMilestone", "PpaStage", "PpaStageSchedule",
     "Assessment", "Booking"}
)


def _parse(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def span_touches(start: Any, end: Any, window_start: datetime, window_end: datetime) -> bool:
    """Whether [start, end] meets the window [window_start, window_end); an instant has end = start."""
    begins = _parse(start)
    if begins is None:
        return False
    ends = _parse(end) or begins
    return begins < window_end and ends >= window_start


def touches_window(payload: dict[str, Any], window_start: datetime, window_end: datetime) -> bool:
    """The change's new or old span meets the window; a recurring series spans to ``series_ends_at``
    (an endless one, ``series_ends_at: null``, never ends).

    A payload without any time at all cannot be placed, so it is let through and
    the subscriber recomputes the window (which finds nothing if it is outside).
    """
    if not any(payload.get(k) for k in ("start", "end", "old_start", "old_end")):
        return True
    if "series_ends_at" in payload:
        new_end: Any = payload["series_ends_at"] or FOREVER
    else:
        new_end = payload.get("end")
    if span_touches(payload.get("start"), new_end, window_start, window_end):
        return True
    return span_touches(payload.get("old_start"), payload.get("old_end"), window_start, window_end)


def in_modules(payload: dict[str, Any], modules: Collection[CalendarModule] | None) -> bool:
    if not modules:
        return True
    module = payload.get("module")
    return module is None or module in {m.value for m in modules}


def calendar_change_matches(
    entity_type: str,
    payload: dict[str, Any],
    *,
    window_start: datetime,
    window_end: datetime,
    modules: Collection[CalendarModule] | None,
) -> bool:
    if entity_type not in CALENDAR_SOURCES and "module" not in payload:
        return False
    return in_modules(payload, modules) and touches_window(payload, window_start, window_end)


def id_matches(payload: dict[str, Any], key: str, wanted: int | None) -> bool:
    """``wanted`` None matches everything; else the payload's ``key`` must equal it."""
    if wanted is None:
        return True
    value = payload.get(key)
    return value is not None and int(value) == wanted


def task_payload_matches(payload: dict[str, Any], criteria: Any) -> bool:
    """TaskFilter dimensions the payload carries (status, assignees, teams, PPA, event)."""
    status = payload.get("status")
    if criteria.statuses and status is not None and status not in {s.value for s in criteria.statuses}:
        return False
    if criteria.assignee_ids and not set(criteria.assignee_ids) & {int(i) for i in payload.get("assignee_ids") or ()}:
        return False
    if criteria.team_ids and not set(criteria.team_ids) & {int(i) for i in payload.get("team_ids") or ()}:
        return False
    return id_matches(payload, "ppa_id", criteria.ppa_id) and id_matches(payload, "event_id", criteria.event_id)


def task_row_matches(row: Any, criteria: Any, *, now: datetime, closed: Collection[Any]) -> bool:
    """The rest of a TaskFilter, on the task as it is now (``row``: a Task)."""
    if criteria.statuses and row.status not in criteria.statuses:
        return False
    if criteria.priorities and row.priority not in criteria.priorities:
        return False
    if criteria.domains and row.domain not in criteria.domains:
        return False
    due = row.due_at
    if criteria.due_before is not None and (due is None or due >= criteria.due_before):
        return False
    if criteria.due_after is not None and (due is None or due < criteria.due_after):
        return False
    if criteria.overdue is not None:
        overdue = due is not None and due < now and row.status not in closed
        if overdue != criteria.overdue:
            return False
    if criteria.search and criteria.search.strip():
        needle = criteria.search.strip().casefold()
        if needle not in row.title.casefold() and needle not in (row.description or "").casefold():
            return False
    return True
