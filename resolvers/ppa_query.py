"""Read side of PPAs: filter decoding, the ppas connection and the portfolio."""
from __future__ import annotations

from db.enums import BudgetStatus, PpaCategory, PpaStage, PpaStatus
from db.policies import Viewer
from db.queries.portfolio import Bucket, at_risk_page, portfolio_breakdown
from db.queries.ppa import PpaCriteria, PpaOrder, ppas_query
from resolvers.mutation import validation
from schema.core.connection import (
    Connection,
    connection_from_rows,
    decode_cursor,
    page_size,
    paginate,
)
from schema.core.ids import decode_ids, decode_optional_id
from schema.ppa.inputs import PpaFilter
from schema.ppa.portfolio import (
    PortfolioBudgetStatusCount,
    PortfolioCategoryCount,
    PortfolioStageCount,
    PortfolioStatusCount,
    PortfolioType,
    PpaRiskType,
)
from schema.ppa.types import PpaType
from server.context import Context


def ppa_criteria(f: PpaFilter | None, viewer: Viewer) -> PpaCriteria:
    if f is None:
        return PpaCriteria(viewer=viewer)
    if f.search is not None and len(f.search) > 200:
        raise validation("At most 200 characters.", "filter.search")
    return PpaCriteria(
        viewer=viewer, statuses=f.statuses, stages=f.stages, categories=f.categories, budget_statuses=f.budget_statuses,
        community_ids=decode_ids(f.community_ids, "Community", field="filter.communityIds"),
        team_ids=decode_ids(f.team_ids, "Team", field="filter.teamIds"),
        owner_ids=decode_ids(f.owner_ids, "User", field="filter.ownerIds"),
        need_id=decode_optional_id(f.need_id, "Need", field="filter.needId"),
        policy_id=decode_optional_id(f.policy_id, "Policy", field="filter.policyId"),
        search=f.search, date_from=f.date_from, date_to=f.date_to, include_archived=f.include_archived,
    )


async def resolve_ppas(
    ctx: Context, filter: PpaFilter | None, order_by: PpaOrder, first: int | None, after: str | None
) -> Connection[PpaType]:
    ctx.require_user()
    stmt = ppas_query(ppa_criteria(filter, ctx.viewer), PpaOrder(order_by))
    return await paginate(ctx.session, stmt, first=first, after=after, to_node=PpaType.from_model)


def _filled(buckets: list[Bucket], keys: list[str]) -> list[Bucket]:
    """One bucket per key, in the given order, empty ones included."""
    by_key = {b.key: b for b in buckets}
    return [by_key.get(k) or Bucket(key=k) for k in keys]


def _fields(b: Bucket) -> dict[str, object]:
    return {"count": b.count, "budget_allocated": b.budget_allocated, "budget_approved": b.budget_approved,
            "average_progress": b.average_progress}


async def resolve_portfolio(ctx: Context, filter: PpaFilter | None, stalled_after_days: int) -> PortfolioType:
    ctx.require_user()
    if not 1 <= stalled_after_days <= 3650:
        raise validation("Must be between 1 and 3650.", "stalledAfterDays")
    criteria = ppa_criteria(filter, ctx.viewer)
    figures = await portfolio_breakdown(ctx.session, criteria, stalled_after_days)
    groups = figures.breakdowns
    totals = figures.totals
    return PortfolioType(
        ppa_count=totals.count, budget_allocated=totals.budget_allocated,
        budget_approved=totals.budget_approved, average_progress=totals.average_progress,
        stalled_after_days=stalled_after_days, at_risk_count=figures.at_risk_count,
        stalled_count=figures.stalled_count,
        ppas_with_overdue_milestones=figures.with_overdue_milestones_count,
        ppas_with_overdue_tasks=figures.with_overdue_tasks_count,
        overdue_milestone_count=figures.overdue_milestone_count, overdue_task_count=figures.overdue_task_count,
        by_stage=[PortfolioStageCount(stage=PpaStage(b.key), **_fields(b))  # type: ignore[arg-type]
                  for b in _filled(groups.get("stage", []), [s.value for s in PpaStage])],
        by_status=[PortfolioStatusCount(status=PpaStatus(b.key), **_fields(b))  # type: ignore[arg-type]
                   for b in _filled(groups.get("status", []), [s.value for s in PpaStatus])],
        by_category=[PortfolioCategoryCount(category=PpaCategory(b.key), **_fields(b))  # type: ignore[arg-type]
                     for b in _filled(groups.get("category", []), [s.value for s in PpaCategory])],
        by_budget_status=[PortfolioBudgetStatusCount(budget_status=BudgetStatus(b.key), **_fields(b))  # type: ignore[arg-type]
                          for b in _filled(groups.get("budget_status", []), [s.value for s in BudgetStatus])],
        _criteria=criteria,
    )


async def at_risk_connection(
    ctx: Context, criteria: PpaCriteria, stalled_after_days: int, total: int, *, first: int | None, after: str | None
) -> Connection[PpaRiskType]:
    limit, offset = page_size(first), decode_cursor(after)
    rows = await at_risk_page(ctx.session, criteria, stalled_after_days, limit=limit + 1, offset=offset)

    async def count() -> int:
        return total

    return connection_from_rows(rows, offset=offset, limit=limit, to_node=PpaRiskType.from_row, count=count)
