"""Portfolio figures for the dashboard, computed by PostgreSQL in a constant number of statements.

``ppa_health`` is one row per PPA (of the filter) with its risk signals:
overdue milestones, overdue tasks (correlated counts, served by the ppa_id
indexes) and a stalled flag. ``portfolio_breakdown`` aggregates it with
GROUPING SETS: the totals and the four breakdowns come back from ONE statement.
``at_risk_page`` lists the PPAs at risk, most reasons first (one statement).

Only open PPAs (ACTIVE or ON_HOLD, not in the COMPLETED stage) can be at risk;
only ACTIVE ones can be stalled (ON_HOLD is a deliberate pause).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, Subquery, and_, case, cast, func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import PpaStage, PpaStatus
from db.models import Ppa, PpaMilestone, Task
from db.policies import policy_for
from db.queries.ppa import PpaCriteria, ppa_conditions
from db.queries.task import overdue_condition

DEFAULT_STALLED_AFTER_DAYS = 60
BREAKDOWN_COLUMNS = ("stage", "status", "category", "budget_status")
CENTS = Decimal("0.01")


def ppa_health(criteria: PpaCriteria, stalled_after_days: int) -> Subquery:
    open_ppa = and_(Ppa.status.in_([PpaStatus.ACTIVE, PpaStatus.ON_HOLD]), Ppa.stage != PpaStage.COMPLETED)
    overdue_milestones = (
        select(func.count())
        .where(PpaMilestone.ppa_id == Ppa.id, PpaMilestone.completed_at.is_(None),
               PpaMilestone.due_on < func.current_date(), policy_for(PpaMilestone).readable(criteria.viewer))
        .scalar_subquery()
    )
    overdue_tasks = select(func.count()).where(
        Task.ppa_id == Ppa.id, overdue_condition(), policy_for(Task).readable(criteria.viewer)
    ).scalar_subquery()
    stalled = and_(
        open_ppa, Ppa.status == PpaStatus.ACTIVE,
        Ppa.stage_entered_at < func.now() - func.make_interval(0, 0, 0, stalled_after_days),
    )
    milestones = case((open_ppa, overdue_milestones), else_=literal(0))
    tasks = case((open_ppa, overdue_tasks), else_=literal(0))
    return (
        select(
            Ppa.id, Ppa.stage, Ppa.status, Ppa.category, Ppa.budget_status, Ppa.budget_allocated,
            Ppa.budget_approved, Ppa.progress,
            milestones.label("overdue_milestones"), tasks.label("overdue_tasks"), stalled.label("stalled"),
        )
        .where(*ppa_conditions(criteria))
        .subquery("health")
    )


@dataclass(slots=True)
class Bucket:
    key: str
    count: int = 0
    budget_allocated: Decimal = Decimal("0.00")
    budget_approved: Decimal = Decimal("0.00")
    average_progress: float | None = None


@dataclass(slots=True)
class PortfolioFigures:
    totals: Bucket
    at_risk_count: int = 0
    stalled_count: int = 0
    with_overdue_milestones_count: int = 0
    with_overdue_tasks_count: int = 0
    overdue_milestone_count: int = 0
    overdue_task_count: int = 0
    breakdowns: dict[str, list[Bucket]] = field(default_factory=dict)


def money(value: Any) -> Decimal:
    return Decimal(value).quantize(CENTS)


def at_risk(h: Subquery) -> Any:
    return (h.c.overdue_milestones > 0) | (h.c.overdue_tasks > 0) | h.c.stalled


async def portfolio_breakdown(
    session: AsyncSession, criteria: PpaCriteria, stalled_after_days: int = DEFAULT_STALLED_AFTER_DAYS
) -> PortfolioFigures:
    h = ppa_health(criteria, stalled_after_days)
    keys = [h.c[name] for name in BREAKDOWN_COLUMNS]
    stmt = select(
        func.grouping(*keys).label("grouping"), *keys,
        func.count().label("count"),
        func.coalesce(func.sum(h.c.budget_allocated), 0).label("allocated"),
        func.coalesce(func.sum(h.c.budget_approved), 0).label("approved"),
        func.avg(h.c.progress).label("progress"),
        func.count().filter(at_risk(h)).label("at_risk"),
        func.count().filter(h.c.stalled).label("stalled"),
        func.count().filter(h.c.overdue_milestones > 0).label("with_milestones"),
        func.count().filter(h.c.overdue_tasks > 0).label("with_tasks"),
        cast(func.coalesce(func.sum(h.c.overdue_milestones), 0), Integer).label("milestones"),
        cast(func.coalesce(func.sum(h.c.overdue_tasks), 0), Integer).label("tasks"),
    ).group_by(func.grouping_sets(tuple_(), *keys))
    # GROUPING(...) has a bit set per column NOT grouped by; the leftmost column is the highest bit.
    width = len(keys)
    set_of = {(1 << width) - 1 - (1 << (width - 1 - i)): name for i, name in enumerate(BREAKDOWN_COLUMNS)}
    figures = PortfolioFigures(totals=Bucket(key="ALL"))
    grouped: dict[str, list[Bucket]] = defaultdict(list)
    for row in await session.execute(stmt):
        bucket_of = set_of.get(row.grouping)
        average = None if row.progress is None else round(float(row.progress), 2)
        # row._mapping: to mypy, row.count is tuple.count (SQLAlchemy resolves the column at run time).
        bucket = Bucket(key="ALL", count=row._mapping["count"], budget_allocated=money(row.allocated),
                        budget_approved=money(row.approved), average_progress=average)
        if bucket_of is not None:
            bucket.key = str(getattr(row, bucket_of))
            grouped[bucket_of].append(bucket)
            continue
        figures.totals = bucket
        figures.at_risk_count, figures.stalled_count = row.at_risk, row.stalled
        figures.with_overdue_milestones_count, figures.with_overdue_tasks_count = row.with_milestones, row.with_tasks
        figures.overdue_milestone_count, figures.overdue_task_count = row.milestones, row.tasks
    figures.breakdowns = dict(grouped)
    return figures


@dataclass(slots=True)
class RiskRow:
    ppa: Ppa
    overdue_milestones: int
    overdue_tasks: int
    stalled: bool


async def at_risk_page(
    session: AsyncSession, criteria: PpaCriteria, stalled_after_days: int, *, limit: int, offset: int
) -> list[RiskRow]:
    """``limit`` at-risk PPAs from ``offset``: most reasons first, then longest in their stage."""
    h = ppa_health(criteria, stalled_after_days)
    reasons = (
        cast(h.c.overdue_milestones > 0, Integer) + cast(h.c.overdue_tasks > 0, Integer) + cast(h.c.stalled, Integer)
    )
    stmt = (
        select(Ppa, h.c.overdue_milestones, h.c.overdue_tasks, h.c.stalled)
        .join(h, h.c.id == Ppa.id)
        .where(at_risk(h))
        .order_by(reasons.desc(), Ppa.stage_entered_at, Ppa.id)
        .limit(limit)
        .offset(offset)
    )
    return [RiskRow(ppa=row[0], overdue_milestones=row[1], overdue_tasks=row[2], stalled=row[3])
            for row in await session.execute(stmt)]
