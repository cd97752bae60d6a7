from __future__ import annotations

import strawberry

from resolvers import meeting, quarterly_report
from schema.core.mutation_field import mutation_field


@strawberry.type
class MeetingMutation:
    record_meeting_minutes = mutation_field(meeting.record_minutes, description="Write or edit a meeting's minutes.")

    add_meeting_decision = mutation_field(
        meeting.add_decision, description="Record a decision or an action item; an action item becomes a task.")

    request_quarterly_report = mutation_field(
        quarterly_report.request_report,
        description="Generate a quarterly MAO report (CSV, XLSX, HTML) in the background.",
    )
