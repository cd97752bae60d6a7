"""Inputs and filters of the PPA domain."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from db.queries.ppa import PpaOrder
from schema.ppa.types import (
    BudgetDecisionEnum,
    BudgetStageEnum,
    BudgetStatusEnum,
    PpaCategoryEnum,
    PpaStatusEnum,
    PpaWorkflowStageEnum,
)

PpaOrderEnum = strawberry.enum(PpaOrder, name="PpaOrder")


@strawberry.input(description="Planned dates of one stage: give exactly one of workflowStage or budgetStage.")
class PpaStageDatesInput:
    workflow_stage: PpaWorkflowStageEnum | None = None  # type: ignore[valid-type]
    budget_stage: BudgetStageEnum | None = None  # type: ignore[valid-type]
    starts_on: date
    ends_on: date


@strawberry.input
class CreatePpaInput:
    title: str
    category: PpaCategoryEnum  # type: ignore[valid-type]
    code: str | None = None
    description: str = ""
    status: PpaStatusEnum | None = None  # type: ignore[valid-type]
    starts_on: date | None = None
    ends_on: date | None = None
    budget_allocated: Decimal = Decimal(0)
    community_id: strawberry.ID | None = None
    lead_team_id: strawberry.ID | None = None
    owner_id: strawberry.ID | None = None
    need_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    policy_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    stage_dates: list[PpaStageDatesInput] = strawberry.field(default_factory=list)
    sector: str = strawberry.field(default="", description="The sector served (health, water...), as needs' category.")


@strawberry.input(description="Omitted fields keep their value; stage and progress are not edited here.")
class UpdatePpaInput:
    id: strawberry.ID
    expected_version: int
    title: str | None = strawberry.UNSET
    code: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    category: PpaCategoryEnum | None = strawberry.UNSET  # type: ignore[valid-type]
    sector: str | None = strawberry.UNSET
    status: PpaStatusEnum | None = strawberry.UNSET  # type: ignore[valid-type]
    starts_on: date | None = strawberry.UNSET
    ends_on: date | None = strawberry.UNSET
    budget_allocated: Decimal | None = strawberry.UNSET
    community_id: strawberry.ID | None = strawberry.UNSET
    lead_team_id: strawberry.ID | None = strawberry.UNSET
    owner_id: strawberry.ID | None = strawberry.UNSET


@strawberry.input
class AdvancePpaStageInput:
    ppa_id: strawberry.ID
    to_stage: PpaWorkflowStageEnum  # type: ignore[valid-type]
    note: str = ""
    expected_version: int | None = None


@strawberry.input
class DecideBudgetInput:
    ppa_id: strawberry.ID
    decision: BudgetDecisionEnum  # type: ignore[valid-type]
    note: str = ""
    approved_amount: Decimal | None = strawberry.field(
        default=None, description="On the final APPROVE: the approved amount (default: the allocated budget)."
    )


@strawberry.input
class AddPpaMilestoneInput:
    ppa_id: strawberry.ID
    title: str
    due_on: date


@strawberry.input
class CompletePpaMilestoneInput:
    id: strawberry.ID
    completed: bool = True


@strawberry.input
class SchedulePpaStageInput:
    ppa_id: strawberry.ID
    workflow_stage: PpaWorkflowStageEnum | None = None  # type: ignore[valid-type]
    budget_stage: BudgetStageEnum | None = None  # type: ignore[valid-type]
    starts_on: date
    ends_on: date


@strawberry.input
class LinkNeedsToPpaInput:
    ppa_id: strawberry.ID
    need_ids: list[strawberry.ID]


@strawberry.input
class LinkPoliciesToPpaInput:
    ppa_id: strawberry.ID
    policy_ids: list[strawberry.ID]


@strawberry.input
class PpaFilter:
    statuses: list[PpaStatusEnum] | None = None  # type: ignore[valid-type]
    stages: list[PpaWorkflowStageEnum] | None = None  # type: ignore[valid-type]
    categories: list[PpaCategoryEnum] | None = None  # type: ignore[valid-type]
    budget_statuses: list[BudgetStatusEnum] | None = None  # type: ignore[valid-type]
    community_ids: list[strawberry.ID] | None = None
    team_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="Lead teams.")
    owner_ids: list[strawberry.ID] | None = None
    need_id: strawberry.ID | None = None
    policy_id: strawberry.ID | None = None
    search: str | None = strawberry.field(default=None, description="In title, code and description.")
    date_from: date | None = strawberry.field(default=None, description="PPAs running on or after this day.")
    date_to: date | None = strawberry.field(default=None, description="PPAs running on or before this day.")
    include_archived: bool = strawberry.field(default=False, description="Archived PPAs are left out unless true.")


@strawberry.input(description="Archive a PPA: it leaves the default lists and the calendar; nothing else changes.")
class ArchivePpaInput:
    id: strawberry.ID
    expected_version: int


@strawberry.input
class UnlinkNeedsFromPpaInput:
    ppa_id: strawberry.ID
    need_ids: list[strawberry.ID]


@strawberry.input
class UnlinkPoliciesFromPpaInput:
    ppa_id: strawberry.ID
    policy_ids: list[strawberry.ID]
