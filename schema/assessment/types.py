"""GraphQL type for assessments; AssessmentStatus is defined here once."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay

from dataloaders.need import needs_by_assessment_id
from dataloaders.task import tasks_by_assessment_id
from db.enums import AssessmentStatus
from db.models import Assessment
from schema.attachment.fields import attachments_of
from schema.attachment.types import AttachmentType
from schema.community.types import CommunityType
from schema.core.connection import Connection, paginate_list
from schema.core.node import ModelNode, load_node
from schema.task.types import TaskType
from schema.user.types import TeamType, UserType

if TYPE_CHECKING:
    from schema.need.types import NeedType

AssessmentStatusEnum = strawberry.enum(AssessmentStatus, name="AssessmentStatus")

NeedRef = Annotated["NeedType", strawberry.lazy("schema.need.types")]


@strawberry.type(name="Assessment", description="A needs assessment with its four milestone dates.")
class AssessmentType(ModelNode):
    model = Assessment
    id: relay.NodeID[int]
    title: str
    description: str
    status: AssessmentStatusEnum  # type: ignore[valid-type]
    planning_on: date | None
    data_collection_on: date | None
    analysis_on: date | None
    report_on: date | None
    created_at: datetime
    version: int = strawberry.field(description="Pass it back as expectedVersion when updating.")
    _row: strawberry.Private[Assessment]

    @classmethod
    def from_model(cls, row: Assessment) -> Self:
        return cls(id=row.id, title=row.title, description=row.description, status=row.status,
                   planning_on=row.planning_on, data_collection_on=row.data_collection_on,
                   analysis_on=row.analysis_on, report_on=row.report_on, created_at=row.created_at,
                   version=row.version, _row=row)

    @strawberry.field(description="Files attached to this assessment.")
    async def attachments(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[AttachmentType]:
        return await attachments_of(info, "Assessment", self.id, first=first, after=after)

    @strawberry.field
    async def community(self, info: strawberry.Info) -> CommunityType | None:
        return await load_node(info, CommunityType, self._row.community_id)

    @strawberry.field
    async def lead_team(self, info: strawberry.Info) -> TeamType | None:
        return await load_node(info, TeamType, self._row.lead_team_id)

    @strawberry.field
    async def owner(self, info: strawberry.Info) -> UserType | None:
        return await load_node(info, UserType, self._row.owner_id)

    @strawberry.field(description="Needs this assessment identified.")
    async def needs(self, info: strawberry.Info) -> list[NeedRef]:
        from schema.need.types import NeedType

        rows = await info.context.loaders.of(needs_by_assessment_id).load(self.id)
        return [NeedType.from_model(n) for n in rows]

    @strawberry.field
    async def tasks(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[TaskType]:
        rows = await info.context.loaders.of(tasks_by_assessment_id).load(self.id)
        return paginate_list(rows, first=first, after=after, to_node=TaskType.from_model)
