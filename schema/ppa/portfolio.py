"""GraphQL types of the portfolio dashboard (``portfolio(filter)``)."""
from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal

import strawberry

from db.queries.portfolio import RiskRow
from db.queries.ppa import PpaCriteria
from schema.core.connection import Connection
from schema.ppa.types import (
    BudgetStatusEnum,
    PpaCategoryEnum,
    PpaStatusEnum,
    PpaType,
    PpaWorkflowStageEnum,
)


@strawberry.enum(name="PpaRiskReason")
class PpaRiskReason(enum.Enum):
    OVERDUE_MILESTONES = "OVERDUE_MILESTONES"
    OVERDUE_TASKS = "OVERDUE_TASKS"
    STALLED_STAGE = "STALLED_STAGE"


@strawberry.type
class PortfolioBucketFields:
    count: int
    budget_allocated: Decimal
    budget_approved: Decimal
    average_progress: float | None = strawberry.field(description="Null when the bucket is empty.")


@strawberry.type(name="PortfolioStageCount")
class PortfolioStageCount(PortfolioBucketFields):
    stage: PpaWorkflowStageEnum  # type: ignore[valid-type]


@strawberry.type(name="PortfolioStatusCount")
class PortfolioStatusCount(PortfolioBucketFields):
    status: PpaStatusEnum  # type: ignore[valid-type]


@strawberry.type(name="PortfolioCategoryCount")
class PortfolioCategoryCount(PortfolioBucketFields):
    category: PpaCategoryEnum  # type: ignore[valid-type]


@strawberry.type(name="PortfolioBudgetStatusCount")
class PortfolioBudgetStatusCount(PortfolioBucketFields):
    budget_status: BudgetStatusEnum  # type: ignore[valid-type]


@strawberry.type(name="PpaRisk", description="A PPA at risk and why.")
class PpaRiskType:
    ppa: PpaType
    reasons: list[PpaRiskReason]
    overdue_milestones: int
    overdue_tasks: int
    days_in_stage: int

    @classmethod
    def from_row(cls, row: RiskRow) -> PpaRiskType:
        reasons = [reason for reason, present in (
            (PpaRiskReason.OVERDUE_MILESTONES, row.overdue_milestones > 0),
            (PpaRiskReason.OVERDUE_TASKS, row.overdue_tasks > 0),
            (PpaRiskReason.STALLED_STAGE, row.stalled),
        ) if present]
        days = (datetime.now(UTC) - row.ppa.stage_entered_at).days
        return cls(ppa=PpaType.from_model(row.ppa), reasons=reasons, overdue_milestones=row.overdue_milestones,
                   overdue_tasks=row.overdue_tasks, days_in_stage=days)


@strawberry.type(name="Portfolio", description="Totals and breakdowns of the PPAs matching the filter.")
class PortfolioType:
    ppa_count: int
    budget_allocated: Decimal = strawberry.field(description="Sum of allocated budgets.")
    budget_approved: Decimal = strawberry.field(description="Sum of approved budgets (PPAs without one count 0).")
    average_progress: float | None
    stalled_after_days: int
    at_risk_count: int
    stalled_count: int = strawberry.field(description="ACTIVE PPAs in their stage longer than stalledAfterDays.")
    ppas_with_overdue_milestones: int
    ppas_with_overdue_tasks: int
    overdue_milestone_count: int
    overdue_task_count: int
    by_stage: list[PortfolioStageCount] = strawberry.field(description="Every stage, in workflow order (zeros included).")
    by_status: list[PortfolioStatusCount]
    by_category: list[PortfolioCategoryCount]
    by_budget_status: list[PortfolioBudgetStatusCount]
    _criteria: strawberry.Private[PpaCriteria]

    @strawberry.field(description="The PPAs at risk: most reasons first, then longest in their stage.")
    async def at_risk(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[PpaRiskType]:
        from resolvers.ppa_query import at_risk_connection

        return await at_risk_connection(info.context, self._criteria, self.stalled_after_days,
                                        self.at_risk_count, first=first, after=after)
