"""Calendar entries of policies (effective and review dates, module POLICY) and the
projected future instances of recurring tasks (module TASKS): one query each.

Both read through their entity's access policy for the scope's viewer.
"""
from __future__ import annotations

from datetime import datetime
from itertools import islice, takewhile

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.enums import CalendarModule, PolicyStatus, TaskStatus
from db.models import Policy, Task, TaskAssignee
from db.policies import policy_for
from db.queries.calendar_projects import in_days
from db.queries.calendar_scope import CalendarScope
from db.rules.calendar_entries import (
    KIND_MODULES,
    CalendarEntry,
    EntryKind,
    date_entry,
    day_bounds,
    entry_id,
)
from db.rules.task_recurrence import InvalidRule, parse_rule

# A series projects at most this many instances into one window (a window is at most
# ALMANAC_MAX_WINDOW_DAYS long; a daily series fills a year with 366).
MAX_PROJECTED_PER_SERIES = 400
OPEN = (TaskStatus.DONE, TaskStatus.CANCELLED)


async def policy_entries(session: AsyncSession, scope: CalendarScope) -> list[CalendarEntry]:
    if not scope.wants(CalendarModule.POLICY) or scope.only_resources or scope.assignee_ids is not None:
        return []
    clauses: list[ColumnElement[bool]] = [
        policy_for(Policy).readable(scope.viewer), Policy.status != PolicyStatus.RETIRED,
        or_(in_days(Policy.effective_on, scope), in_days(Policy.review_on, scope)),
    ]
    if scope.community_ids is not None:
        clauses.append(Policy.community_id.in_(list(scope.community_ids)))
    rows = await session.execute(select(Policy.id, Policy.title, Policy.effective_on, Policy.review_on).where(*clauses))
    lo, hi = day_bounds(scope.start, scope.end)
    entries: list[CalendarEntry] = []
    for pk, title, effective, review in rows.tuples():
        for day, prefix, label in ((effective, "PolicyEffective", "takes effect"), (review, "PolicyReview", "review")):
            if day is not None and lo <= day < hi:
                entries.append(date_entry(EntryKind.POLICY_DATE, prefix, pk, f"{title}: {label}", day, None,
                                          "Policy", pk))
    return entries


async def projected_task_entries(session: AsyncSession, scope: CalendarScope) -> list[CalendarEntry]:
    """For each recurring series, the occurrences after its latest open instance's due time.

    Only the latest open instance projects (so a series never shows twice); its source is
    that instance, the one whose completion will create the next."""
    if not scope.wants(CalendarModule.TASKS) or scope.only_resources or scope.community_ids is not None:
        return []
    first = aliased(Task)
    series = func.coalesce(Task.recurrence_parent_id, Task.id)
    clauses: list[ColumnElement[bool]] = [
        policy_for(Task).readable(scope.viewer), Task.rrule.is_not(None), Task.due_at.is_not(None),
        Task.due_at < scope.end, Task.status.not_in(OPEN), Task.event_id.is_(None),
    ]
    if scope.assignee_ids is not None:
        clauses.append(select(TaskAssignee.task_id).where(
            TaskAssignee.task_id == Task.id, TaskAssignee.user_id.in_(list(scope.assignee_ids))).exists())
    stmt = (
        select(Task.id, Task.title, Task.rrule, Task.due_at, func.coalesce(first.due_at, Task.due_at), series)
        .outerjoin(first, first.id == Task.recurrence_parent_id)
        .where(*clauses)
        .distinct(series)
        .order_by(series, Task.due_at.desc(), Task.id.desc())
    )
    kind, module = EntryKind.TASK_PROJECTED, KIND_MODULES[EntryKind.TASK_PROJECTED]
    entries: list[CalendarEntry] = []
    for pk, title, rule_text, due, series_start, series_id in (await session.execute(stmt)).tuples():
        if rule_text is None or due is None:  # excluded by the WHERE; narrows the types
            continue
        for moment in upcoming(rule_text, series_start, due, scope.start, scope.end):
            entries.append(CalendarEntry(entry_id("TaskProjected", series_id, moment), kind, module, title, moment,
                                         None, False, None, None, "Task", pk))
    return entries


def upcoming(rule_text: str, series_start: datetime, after: datetime, start: datetime, end: datetime) -> list[datetime]:
    """Occurrences strictly after ``after`` inside ``[start, end)``; none for a rule that no longer parses."""
    try:
        rule = parse_rule(rule_text, series_start)
    except InvalidRule:
        return []
    lower = max(after, start)
    within = takewhile(lambda moment: moment < end, rule.xafter(lower, inc=lower != after))
    return list(islice(within, MAX_PROJECTED_PER_SERIES))
