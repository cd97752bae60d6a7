from __future__ import annotations

import strawberry

from resolvers import meeting, quarterly_report
from schema.meeting.inputs import (
    AddMeetingDecisionInput,
    RecordMeetingMinutesInput,
    RequestQuarterlyReportInput,
)
from schema.meeting.payloads import (
    AddMeetingDecisionPayload,
    RecordMeetingMinutesPayload,
    RequestQuarterlyReportPayload,
)


@strawberry.type
class MeetingMutation:
    @strawberry.mutation(description="Write or edit a meeting's minutes.")
    async def record_meeting_minutes(
        self, info: strawberry.Info, input: RecordMeetingMinutesInput
    ) -> RecordMeetingMinutesPayload:
        return await meeting.record_minutes(info.context, input)

    @strawberry.mutation(description="Record a decision or an action item; an action item becomes a task.")
    async def add_meeting_decision(self, info: strawberry.Info, input: AddMeetingDecisionInput) -> AddMeetingDecisionPayload:
        return await meeting.add_decision(info.context, input)

    @strawberry.mutation(description="Generate a quarterly MAO report (CSV, XLSX, HTML) in the background.")
    async def request_quarterly_report(
        self, info: strawberry.Info, input: RequestQuarterlyReportInput
    ) -> RequestQuarterlyReportPayload:
        return await quarterly_report.request_report(info.context, input)
