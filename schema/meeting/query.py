from __future__ import annotations

import strawberry

from resolvers import meeting, quarterly_report
from schema.meeting.types import MeetingRecordType, QuarterlyMaoReportType, QuarterlyReportFileType


@strawberry.type
class MeetingQuery:
    @strawberry.field(description="A meeting's minutes and decisions (for readers of the meeting).")
    async def meeting_record(self, info: strawberry.Info, event_id: strawberry.ID) -> MeetingRecordType:
        return await meeting.meeting_record(info.context, event_id)

    @strawberry.field(description="One MAO's quarter: PPAs' progress and budget, meetings and attendance, needs "
                                  "addressed.")
    async def quarterly_report(self, info: strawberry.Info, team_id: strawberry.ID, fiscal_year: int,
                               quarter: int) -> QuarterlyMaoReportType:
        return await quarterly_report.live_report(info.context, team_id, fiscal_year, quarter)

    @strawberry.field(description="The generated report of a MAO's quarter, if requested.")
    async def quarterly_report_file(self, info: strawberry.Info, team_id: strawberry.ID, fiscal_year: int,
                                    quarter: int) -> QuarterlyReportFileType | None:
        return await quarterly_report.report_file(info.context, team_id, fiscal_year, quarter)
