"""GraphQL type for needs; NeedStatus is defined here once."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay

from dataloaders.need import ppas_by_need_id
from db.enums import NeedStatus
from db.models import Need
from schema.community.types import CommunityType
from schema.core.node import ModelNode, load_node
from schema.task.types import TaskPriorityEnum

if TYPE_CHECKING:
    from schema.assessment.types import AssessmentType
    from schema.ppa.types import PpaType

NeedStatusEnum = strawberry.enum(NeedStatus, name="NeedStatus")

PpaRef = Annotated["PpaType", strawberry.lazy("schema.ppa.types")]
AssessmentRef = Annotated["AssessmentType", strawberry.lazy("schema.assessment.types")]


@strawberry.type(name="Need", description="A community need, found by an assessment or reported.")
class NeedType(ModelNode):
    model = Need
    id: relay.NodeID[int]
    title: str
    description: str
    category: str
    priority: TaskPriorityEnum  # type: ignore[valid-type]
    status: NeedStatusEnum  # type: ignore[valid-type]
    identified_on: date | None
    created_at: datetime
    priority_score: float | None = strawberry.field(description="0-100, higher is more urgent; set when prioritized.")
    version: int = strawberry.field(description="Pass it back as expectedVersion when updating.")
    _row: strawberry.Private[Need]

    @classmethod
    def from_model(cls, row: Need) -> Self:
        return cls(id=row.id, title=row.title, description=row.description, category=row.category,
                   priority=row.priority, status=row.status, identified_on=row.identified_on,
                   created_at=row.created_at,
                   priority_score=float(row.priority_score) if row.priority_score is not None else None,
                   version=row.version, _row=row)

    @strawberry.field
    async def community(self, info: strawberry.Info) -> CommunityType | None:
        return await load_node(info, CommunityType, self._row.community_id)

    @strawberry.field
    async def assessment(self, info: strawberry.Info) -> AssessmentRef | None:
        from schema.assessment.types import AssessmentType

        return await load_node(info, AssessmentType, self._row.assessment_id)

    @strawberry.field(description="PPAs that address this need.")
    async def ppas(self, info: strawberry.Info) -> list[PpaRef]:
        from schema.ppa.types import PpaType

        return [PpaType.from_model(p) for p in await info.context.loaders.of(ppas_by_need_id).load(self.id)]
