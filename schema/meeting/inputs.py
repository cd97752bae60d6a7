from __future__ import annotations

from datetime import date

import strawberry

from schema.meeting.types import DecisionKindEnum


@strawberry.input
class RecordMeetingMinutesInput:
    event_id: strawberry.ID
    body: str
    expected_version: int | None = strawberry.field(
        default=None, description="Required once minutes exist: the version read (a newer one is a CONFLICT).")


@strawberry.input
class AddMeetingDecisionInput:
    event_id: strawberry.ID
    kind: DecisionKindEnum  # type: ignore[valid-type]
    text: str
    assignee_id: strawberry.ID | None = strawberry.field(default=None, description="For an action item.")
    due_on: date | None = strawberry.field(default=None, description="For an action item: the task's due day.")


@strawberry.input
class RequestQuarterlyReportInput:
    team_id: strawberry.ID
    fiscal_year: int
    quarter: int
