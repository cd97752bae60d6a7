from __future__ import annotations

from datetime import date

import strawberry

from schema.assessment.types import AssessmentStatusEnum


@strawberry.input(description="The four milestone dates, when given, must be in order.")
class CreateAssessmentInput:
    title: str
    description: str = ""
    status: AssessmentStatusEnum | None = None  # type: ignore[valid-type]
    community_id: strawberry.ID | None = None
    lead_team_id: strawberry.ID | None = None
    owner_id: strawberry.ID | None = None
    planning_on: date | None = None
    data_collection_on: date | None = None
    analysis_on: date | None = None
    report_on: date | None = None


@strawberry.input
class AssessmentFilter:
    statuses: list[AssessmentStatusEnum] | None = None  # type: ignore[valid-type]
    community_ids: list[strawberry.ID] | None = None
    team_ids: list[strawberry.ID] | None = None
    owner_ids: list[strawberry.ID] | None = None
    search: str | None = None
    date_from: date | None = strawberry.field(default=None, description="Assessments whose dates reach this day.")
    date_to: date | None = strawberry.field(default=None, description="Assessments whose dates start by this day.")


@strawberry.input(description="Omitted fields stay as they are; the phase moves forward one step at a time.")
class UpdateAssessmentInput:
    id: strawberry.ID
    expected_version: int = strawberry.field(description="The version read; a newer one answers CONFLICT.")
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    status: AssessmentStatusEnum | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET,
        description="PLANNED -> DATA_COLLECTION (fieldwork) -> ANALYSIS -> REPORTING (optional) -> COMPLETED.")
    community_id: strawberry.ID | None = strawberry.UNSET
    lead_team_id: strawberry.ID | None = strawberry.UNSET
    owner_id: strawberry.ID | None = strawberry.UNSET
    planning_on: date | None = strawberry.UNSET
    data_collection_on: date | None = strawberry.UNSET
    analysis_on: date | None = strawberry.UNSET
    report_on: date | None = strawberry.UNSET
