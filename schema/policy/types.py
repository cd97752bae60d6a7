"""GraphQL type for policies; PolicyStatus is defined here once."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay

from dataloaders.policy import ppas_by_policy_id
from dataloaders.task import tasks_by_policy_id
from db.enums import PolicyStatus
from db.models import Policy
from schema.community.types import CommunityType
from schema.core.connection import Connection, paginate_list
from schema.core.node import ModelNode, load_node
from schema.task.types import TaskType
from schema.user.types import UserType

if TYPE_CHECKING:
    from schema.ppa.types import PpaType

PolicyStatusEnum = strawberry.enum(PolicyStatus, name="PolicyStatus")

PpaRef = Annotated["PpaType", strawberry.lazy("schema.ppa.types")]


@strawberry.type(name="Policy")
class PolicyType(ModelNode):
    model = Policy
    id: relay.NodeID[int]
    title: str
    code: str | None
    description: str
    status: PolicyStatusEnum  # type: ignore[valid-type]
    effective_on: date | None
    review_on: date | None
    created_at: datetime
    version: int = strawberry.field(description="Pass it back as expectedVersion when updating.")
    _row: strawberry.Private[Policy]

    @classmethod
    def from_model(cls, row: Policy) -> Self:
        return cls(id=row.id, title=row.title, code=row.code, description=row.description, status=row.status,
                   effective_on=row.effective_on, review_on=row.review_on, created_at=row.created_at,
                   version=row.version, _row=row)

    @strawberry.field
    async def community(self, info: strawberry.Info) -> CommunityType | None:
        return await load_node(info, CommunityType, self._row.community_id)

    @strawberry.field
    async def owner(self, info: strawberry.Info) -> UserType | None:
        return await load_node(info, UserType, self._row.owner_id)

    @strawberry.field(description="PPAs this policy guides.")
    async def ppas(self, info: strawberry.Info) -> list[PpaRef]:
        from schema.ppa.types import PpaType

        return [PpaType.from_model(p) for p in await info.context.loaders.of(ppas_by_policy_id).load(self.id)]

    @strawberry.field
    async def tasks(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[TaskType]:
        rows = await info.context.loaders.of(tasks_by_policy_id).load(self.id)
        return paginate_list(rows, first=first, after=after, to_node=TaskType.from_model)
