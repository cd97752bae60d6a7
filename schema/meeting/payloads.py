from __future__ import annotations

import strawberry

from schema.core.errors import UserError
from schema.meeting.types import MeetingDecisionType, MeetingMinutesType, QuarterlyReportFileType
from schema.task.types import TaskType


@strawberry.type
class RecordMeetingMinutesPayload:
    minutes: MeetingMinutesType | None
    errors: list[UserError]


@strawberry.type
class AddMeetingDecisionPayload:
    decision: MeetingDecisionType | None
    task: TaskType | None = strawberry.field(description="The task an action item became.")
    errors: list[UserError]


@strawberry.type
class RequestQuarterlyReportPayload:
    report: QuarterlyReportFileType | None = strawberry.field(
        description="PENDING until the job has generated it; the requester is notified then.")
    errors: list[UserError]
