"""A queued calendar import and its progress (``importCalendar`` of a large file, ``calendarImport``)."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from db.models import CalendarImport
from schema.calendar.payloads import CalendarImportProblemType
from schema.core.node import ModelNode


@strawberry.enum(name="CalendarImportStatus")
class CalendarImportStatus(enum.Enum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"


@strawberry.type(name="CalendarImport", description="A large import running in the background; poll it by id.")
class CalendarImportType(ModelNode):
    model = CalendarImport
    id: relay.NodeID[int]
    status: CalendarImportStatus
    total: int = strawberry.field(description="Events (VEVENTs) in the file.")
    processed: int = strawberry.field(description="Series stored so far (a series groups one UID's VEVENTs).")
    created: int
    updated: int
    skipped: int
    problems: list[CalendarImportProblemType]
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def from_model(cls, row: CalendarImport) -> Self:
        return cls(
            id=row.id, status=CalendarImportStatus(row.status), total=row.total, processed=row.processed,
            created=row.created, updated=row.updated, skipped=row.skipped,
            problems=[CalendarImportProblemType(uid=p["uid"], reason=p["reason"]) for p in row.problems or []],
            created_at=row.created_at, finished_at=row.finished_at,
        )
