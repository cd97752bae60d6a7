"""GraphQL types of the PPA domain; its enums are defined here once.

The enum of workflow stages is ``PpaWorkflowStage`` in GraphQL: ``PpaStage`` is
the object type of a scheduled stage (a member of the calendar's CalendarSource).
Money is ``Decimal`` (serialized as a string, e.g. "1500000.00"): exact, no float rounding.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Self, cast

import strawberry
from strawberry import relay

from dataloaders.ppa import (
    milestones_by_ppa_id,
    needs_by_ppa_id,
    policies_by_ppa_id,
    stage_schedules_by_ppa_id,
    transitions_by_ppa_id,
)
from dataloaders.task import tasks_by_ppa_id
from db.enums import (
    BudgetDecision,
    BudgetStage,
    BudgetStatus,
    PpaCategory,
    PpaStage,
    PpaStatus,
    TransitionKind,
)
from db.models import Ppa, PpaMilestone, PpaStageSchedule, PpaTransition, User
from db.rules.ppa_workflow import allowed_stage_targets
from schema.attachment.fields import attachments_of
from schema.attachment.types import AttachmentType
from schema.community.types import CommunityType
from schema.core.connection import Connection, paginate_list
from schema.core.node import ModelNode, load_node, node_link
from schema.task.types import TaskType
from schema.user.types import TeamType, UserType

if TYPE_CHECKING:
    from schema.need.types import NeedType
    from schema.policy.types import PolicyType

PpaWorkflowStageEnum = strawberry.enum(PpaStage, name="PpaWorkflowStage", description="The nine PPA workflow stages, in order.")
BudgetStageEnum = strawberry.enum(BudgetStage, name="BudgetStage", description="The five budget-approval stages, in order.")
BudgetStatusEnum = strawberry.enum(BudgetStatus, name="BudgetStatus")
BudgetDecisionEnum = strawberry.enum(BudgetDecision, name="BudgetDecision")
PpaCategoryEnum = strawberry.enum(PpaCategory, name="PpaCategory")
PpaStatusEnum = strawberry.enum(PpaStatus, name="PpaStatus")
PpaStageKindEnum = strawberry.enum(
    TransitionKind, name="PpaStageKind", description="STAGE: a workflow stage; BUDGET: a budget-approval stage."
)

NeedRef = Annotated["NeedType", strawberry.lazy("schema.need.types")]
PolicyRef = Annotated["PolicyType", strawberry.lazy("schema.policy.types")]


# The owner as a Link (schema.core.relations): a task list that prefetched owners answers it in the fast path.
_OWNER = node_link(User, lambda ppa: ppa._row.owner_id, UserType.from_model)


@strawberry.type(name="Ppa", description="A program, project or activity.")
class PpaType(ModelNode):
    model = Ppa
    id: relay.NodeID[int]
    code: str | None
    title: str
    description: str
    category: PpaCategoryEnum  # type: ignore[valid-type]
    status: PpaStatusEnum  # type: ignore[valid-type]
    stage: PpaWorkflowStageEnum  # type: ignore[valid-type]
    stage_entered_at: datetime
    budget_stage: BudgetStageEnum  # type: ignore[valid-type]
    budget_status: BudgetStatusEnum  # type: ignore[valid-type]
    budget_allocated: Decimal
    budget_approved: Decimal | None
    starts_on: date | None
    ends_on: date | None
    progress: int = strawberry.field(description="Percent of its non-cancelled tasks that are done (derived).")
    version: int = strawberry.field(description="Pass it back as expectedVersion when updating.")
    created_at: datetime
    updated_at: datetime
    _row: strawberry.Private[Ppa]

    @strawberry.field(description="The sector it serves (compared with needs' category).")
    def sector(self) -> str:
        return self._row.sector

    @strawberry.field(description="When the PPA was archived; null while it is current.")
    def archived_at(self) -> datetime | None:
        return self._row.archived_at

    @classmethod
    def from_model(cls, row: Ppa) -> Self:
        return cls(
            id=row.id, code=row.code, title=row.title, description=row.description, category=row.category,
            status=row.status, stage=row.stage, stage_entered_at=row.stage_entered_at,
            budget_stage=row.budget_stage, budget_status=row.budget_status,
            budget_allocated=row.budget_allocated, budget_approved=row.budget_approved,
            starts_on=row.starts_on, ends_on=row.ends_on, progress=row.progress, version=row.version,
            created_at=row.created_at, updated_at=row.updated_at, _row=row,
        )

    @strawberry.field(description="Files attached to this PPA.")
    async def attachments(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[AttachmentType]:
        return await attachments_of(info, "Ppa", self.id, first=first, after=after)

    @strawberry.field(description="Stages advancePpaStage accepts now.")
    def allowed_stages(self) -> list[PpaWorkflowStageEnum]:  # type: ignore[valid-type]
        return list(allowed_stage_targets(self._row.stage, self._row.status, self._row.budget_status))

    @strawberry.field
    async def community(self, info: strawberry.Info) -> CommunityType | None:
        return await load_node(info, CommunityType, self._row.community_id)

    @strawberry.field
    async def lead_team(self, info: strawberry.Info) -> TeamType | None:
        return await load_node(info, TeamType, self._row.lead_team_id)

    @strawberry.field
    @_OWNER.field
    def owner(self, info: strawberry.Info) -> UserType | None:
        return cast("UserType | None", _OWNER.resolve(self, info.context))

    @strawberry.field
    async def needs(self, info: strawberry.Info) -> list[NeedRef]:
        from schema.need.types import NeedType

        return [NeedType.from_model(n) for n in await info.context.loaders.of(needs_by_ppa_id).load(self.id)]

    @strawberry.field
    async def policies(self, info: strawberry.Info) -> list[PolicyRef]:
        from schema.policy.types import PolicyType

        return [PolicyType.from_model(p) for p in await info.context.loaders.of(policies_by_ppa_id).load(self.id)]

    @strawberry.field(description="Milestones by due date.")
    async def milestones(self, info: strawberry.Info) -> list[PpaMilestoneType]:
        rows = await info.context.loaders.of(milestones_by_ppa_id).load(self.id)
        return [PpaMilestoneType.from_model(m) for m in rows]

    @strawberry.field(description="Planned dates of workflow and budget stages (shown on the calendar).")
    async def stages(self, info: strawberry.Info) -> list[PpaStageType]:
        rows = await info.context.loaders.of(stage_schedules_by_ppa_id).load(self.id)
        return [PpaStageType.from_model(s) for s in rows]

    @strawberry.field(description="Every stage move and budget decision, oldest first.")
    async def transitions(self, info: strawberry.Info) -> list[PpaTransitionType]:
        rows = await info.context.loaders.of(transitions_by_ppa_id).load(self.id)
        return [PpaTransitionType.from_model(t) for t in rows]

    @strawberry.field(description="Tasks linked to this PPA, by due date.")
    async def tasks(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[TaskType]:
        rows = await info.context.loaders.of(tasks_by_ppa_id).load(self.id)
        return paginate_list(rows, first=first, after=after, to_node=TaskType.from_model)


@strawberry.type(name="PpaMilestone")
class PpaMilestoneType(ModelNode):
    model = PpaMilestone
    id: relay.NodeID[int]
    title: str
    due_on: date
    completed_at: datetime | None
    _ppa_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, row: PpaMilestone) -> Self:
        return cls(id=row.id, title=row.title, due_on=row.due_on, completed_at=row.completed_at, _ppa_id=row.ppa_id)

    @strawberry.field(description="Due before today and not completed.")
    def is_overdue(self) -> bool:
        return self.completed_at is None and self.due_on < date.today()

    @strawberry.field
    async def ppa(self, info: strawberry.Info) -> PpaType | None:
        return await load_node(info, PpaType, self._ppa_id)


@strawberry.type(name="PpaStage", description="Planned dates of one workflow or budget stage of a PPA.")
class PpaStageType(ModelNode):
    model = PpaStageSchedule
    id: relay.NodeID[int]
    kind: PpaStageKindEnum  # type: ignore[valid-type]
    stage: str = strawberry.field(description="The stage's name: a PpaWorkflowStage or BudgetStage value, per kind.")
    starts_on: date
    ends_on: date
    _ppa_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, row: PpaStageSchedule) -> Self:
        return cls(id=row.id, kind=row.kind, stage=row.stage, starts_on=row.starts_on, ends_on=row.ends_on,
                   _ppa_id=row.ppa_id)

    @strawberry.field
    def workflow_stage(self) -> PpaWorkflowStageEnum | None:  # type: ignore[valid-type]
        return PpaStage(self.stage) if self.kind == TransitionKind.STAGE else None

    @strawberry.field
    def budget_stage(self) -> BudgetStageEnum | None:  # type: ignore[valid-type]
        return BudgetStage(self.stage) if self.kind == TransitionKind.BUDGET else None

    @strawberry.field
    async def ppa(self, info: strawberry.Info) -> PpaType | None:
        return await load_node(info, PpaType, self._ppa_id)


@strawberry.type(name="PpaTransition", description="A stage move or budget decision: who, when, from, to, why.")
class PpaTransitionType(ModelNode):
    model = PpaTransition
    id: relay.NodeID[int]
    kind: PpaStageKindEnum  # type: ignore[valid-type]
    from_stage: str | None = strawberry.field(description="Null for the PPA's creation.")
    to_stage: str
    decision: BudgetDecisionEnum | None  # type: ignore[valid-type]
    note: str
    at: datetime
    _actor_id: strawberry.Private[int | None]
    _ppa_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, row: PpaTransition) -> Self:
        return cls(id=row.id, kind=row.kind, from_stage=row.from_stage, to_stage=row.to_stage,
                   decision=row.decision, note=row.note, at=row.at, _actor_id=row.actor_id, _ppa_id=row.ppa_id)

    @strawberry.field
    async def actor(self, info: strawberry.Info) -> UserType | None:
        return await load_node(info, UserType, self._actor_id)

    @strawberry.field
    async def ppa(self, info: strawberry.Info) -> PpaType | None:
        return await load_node(info, PpaType, self._ppa_id)
