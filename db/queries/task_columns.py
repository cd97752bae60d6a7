"""What the GraphQL Task type reads of a task row: its columns, never a relation.

An ORM ``Task`` has this shape and so does a plain row of ``TASK_COLUMNS``. Hot lists
(the board's 1,000 cards, the task list) select plain rows: building ORM instances
(identity map, instance state, attribute instrumentation) cost more than the statement
itself. ``task_records`` turns them into named tuples, whose attributes read ~10x
faster than a SQLAlchemy ``Row``'s.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Result

from db.enums import TaskDomain, TaskPriority, TaskStatus
from db.models import Task


class TaskColumns(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def status(self) -> TaskStatus: ...
    @property
    def priority(self) -> TaskPriority: ...
    @property
    def domain(self) -> TaskDomain: ...
    @property
    def starts_on(self) -> date | None: ...
    @property
    def due_at(self) -> datetime | None: ...
    @property
    def completed_at(self) -> datetime | None: ...
    @property
    def role(self) -> str: ...
    @property
    def phase(self) -> str: ...
    @property
    def estimated_hours(self) -> Decimal | None: ...
    @property
    def actual_hours(self) -> Decimal | None: ...
    @property
    def position(self) -> float: ...
    @property
    def version(self) -> int: ...
    @property
    def rrule(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def created_by_id(self) -> int | None: ...
    @property
    def recurrence_parent_id(self) -> int | None: ...
    @property
    def community_id(self) -> int | None: ...
    @property
    def event_id(self) -> int | None: ...
    @property
    def ppa_id(self) -> int | None: ...
    @property
    def assessment_id(self) -> int | None: ...
    @property
    def policy_id(self) -> int | None: ...
    @property
    def need_id(self) -> int | None: ...


# The protocol's attributes, as columns to select (a test checks the two lists agree).
TASK_COLUMNS = tuple(getattr(Task, name) for name in (
    "id", "title", "description", "status", "priority", "domain", "starts_on", "due_at", "completed_at", "role",
    "phase", "estimated_hours", "actual_hours", "position", "version", "rrule", "created_at", "updated_at",
    "created_by_id", "recurrence_parent_id", "community_id", "event_id", "ppa_id", "assessment_id", "policy_id",
    "need_id",
))


class TaskRecord(NamedTuple):
    """A plain row of ``TASK_COLUMNS``, in that order."""

    id: int
    title: str
    description: str
    status: TaskStatus
    priority: TaskPriority
    domain: TaskDomain
    starts_on: date | None
    due_at: datetime | None
    completed_at: datetime | None
    role: str
    phase: str
    estimated_hours: Decimal | None
    actual_hours: Decimal | None
    position: float
    version: int
    rrule: str | None
    created_at: datetime
    updated_at: datetime
    created_by_id: int | None
    recurrence_parent_id: int | None
    community_id: int | None
    event_id: int | None
    ppa_id: int | None
    assessment_id: int | None
    policy_id: int | None
    need_id: int | None


def task_records(result: Result[Any]) -> list[TaskRecord]:
    """The rows of a ``select(*TASK_COLUMNS)`` as named tuples."""
    make = TaskRecord._make
    return [make(row) for row in result]
