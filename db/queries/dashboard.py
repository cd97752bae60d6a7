"""The OCM coordination dashboard: set-based SQL, one statement per figure set.

Every figure reads through the access policies of the rows it counts (PPAs, needs,
tasks, communities) for the viewer; the daily snapshot job passes ``viewer=None``
(the office's own figures, nobody's view). Archived PPAs are left out everywhere.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, case, cast, func, literal, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.enums import NeedStatus, PpaStatus, TaskStatus
from db.models import Community, DashboardSnapshot, Need, Ppa, PpaNeed, Task
from db.policies import Viewer, policy_for

OPEN_NEEDS = (NeedStatus.VALIDATED, NeedStatus.PRIORITIZED)
CLOSED_TASKS = (TaskStatus.DONE, TaskStatus.CANCELLED)
FINISHED_PPAS = (PpaStatus.CANCELLED, PpaStatus.COMPLETED)


class PlaceLevel(enum.StrEnum):
    REGION = "REGION"
    PROVINCE = "PROVINCE"
    MUNICIPALITY = "MUNICIPALITY"
    COMMUNITY = "COMMUNITY"


@dataclass(frozen=True, slots=True)
class DashboardScope:
    """Who reads (None: the office itself, for snapshots), which MAOs, which period, when is now."""

    viewer: Viewer | None
    now: datetime
    team_ids: tuple[int, ...] | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True, slots=True)
class MaoFigures:
    team_id: int | None  # None on the total row
    ppa_count: int = 0
    active_ppa_count: int = 0
    completed_ppa_count: int = 0
    budget_allocated: Decimal = Decimal(0)
    budget_approved: Decimal = Decimal(0)
    average_progress: Decimal = Decimal(0)
    needs_linked: int = 0
    needs_addressed: int = 0
    overdue_tasks: int = 0
    communities: int = 0


def readable(model: type[Any], viewer: Viewer | None) -> ColumnElement[bool]:
    return true() if viewer is None else policy_for(model).readable(viewer)


def ppa_clauses(scope: DashboardScope, ppa: Any = Ppa, *, with_teams: bool = True) -> list[ColumnElement[bool]]:
    """Current (not archived) PPAs the viewer may read, in the period and (``with_teams``) the MAOs.

    ``ppa`` may be an alias of Ppa: the PPA policy is office-wide (no column of its own)."""
    clauses: list[ColumnElement[bool]] = [ppa.archived_at.is_(None)]
    if scope.viewer is not None:
        clauses.append(policy_for(Ppa).readable(scope.viewer))
    if with_teams and scope.team_ids is not None:
        clauses.append(ppa.lead_team_id.in_(list(scope.team_ids)))
    if scope.date_from is not None:
        clauses.append(or_(ppa.ends_on.is_(None), ppa.ends_on >= scope.date_from))
    if scope.date_to is not None:
        clauses.append(or_(ppa.starts_on.is_(None), ppa.starts_on <= scope.date_to))
    return clauses


async def mao_figures(session: AsyncSession, scope: DashboardScope) -> tuple[list[MaoFigures], MaoFigures]:
    """Per lead team (PPAs without one count in the total only) and the total: one statement."""
    linked = select(func.count()).where(PpaNeed.ppa_id == Ppa.id).scalar_subquery()
    addressed = (select(func.count()).select_from(PpaNeed).join(Need, Need.id == PpaNeed.need_id)
                 .where(PpaNeed.ppa_id == Ppa.id, Need.status == NeedStatus.ADDRESSED,
                        readable(Need, scope.viewer)).scalar_subquery())
    overdue = (select(func.count()).select_from(Task)
               .where(Task.ppa_id == Ppa.id, Task.status.not_in(CLOSED_TASKS), Task.due_at < scope.now,
                      readable(Task, scope.viewer)).scalar_subquery())
    per_ppa = (select(Ppa.lead_team_id, Ppa.status, Ppa.budget_allocated, Ppa.budget_approved, Ppa.progress,
                      Ppa.community_id, linked.label("linked"), addressed.label("addressed"),
                      overdue.label("overdue"))
               .where(*ppa_clauses(scope)).subquery())
    c = per_ppa.c
    stmt = (
        select(
            c.lead_team_id.label("team_id"), func.grouping(c.lead_team_id).label("is_total"),
            func.count().label("ppa_count"),
            func.count().filter(c.status == PpaStatus.ACTIVE).label("active_ppa_count"),
            func.count().filter(c.status == PpaStatus.COMPLETED).label("completed_ppa_count"),
            func.coalesce(func.sum(c.budget_allocated), 0).label("budget_allocated"),
            func.coalesce(func.sum(c.budget_approved), 0).label("budget_approved"),
            func.coalesce(func.round(func.avg(c.progress), 2), 0).label("average_progress"),
            func.coalesce(func.sum(c.linked), 0).label("needs_linked"),
            func.coalesce(func.sum(c.addressed), 0).label("needs_addressed"),
            func.coalesce(func.sum(c.overdue), 0).label("overdue_tasks"),
            func.count(func.distinct(c.community_id)).label("communities"),
        )
        .group_by(func.rollup(c.lead_team_id))
    )
    teams: list[MaoFigures] = []
    total = MaoFigures(team_id=None)
    for row in (await session.execute(stmt)).mappings():
        found = MaoFigures(
            team_id=None if row["is_total"] else row["team_id"],
            ppa_count=int(row["ppa_count"]), active_ppa_count=int(row["active_ppa_count"]),
            completed_ppa_count=int(row["completed_ppa_count"]),
            budget_allocated=Decimal(row["budget_allocated"]), budget_approved=Decimal(row["budget_approved"]),
            average_progress=Decimal(row["average_progress"]), needs_linked=int(row["needs_linked"]),
            needs_addressed=int(row["needs_addressed"]), overdue_tasks=int(row["overdue_tasks"]),
            communities=int(row["communities"]),
        )
        if row["is_total"]:
            total = found
        elif row["team_id"] is not None:
            teams.append(found)
    return sorted(teams, key=lambda f: f.team_id or 0), total


@dataclass(frozen=True, slots=True)
class PlaceFigures:
    region: str
    province: str | None
    municipality: str | None
    community_id: int | None
    communities: int
    ppa_count: int
    budget_allocated: Decimal
    needs: int
    open_needs: int
    latitude: float | None  # the community's, or the mean of those known at coarser levels
    longitude: float | None


LEVEL_COLUMNS: dict[PlaceLevel, tuple[Any, ...]] = {
    PlaceLevel.REGION: (Community.region,),
    PlaceLevel.PROVINCE: (Community.region, Community.province),
    PlaceLevel.MUNICIPALITY: (Community.region, Community.province, Community.municipality),
    PlaceLevel.COMMUNITY: (Community.region, Community.province, Community.municipality, Community.id),
}


async def place_figures(session: AsyncSession, scope: DashboardScope, level: PlaceLevel,
                        limit: int) -> list[PlaceFigures]:
    """PPAs, budget and needs per region, province, municipality or community (heat-map data)."""
    ppas = (select(Ppa.community_id, func.count().label("n"), func.sum(Ppa.budget_allocated).label("budget"))
            .where(*ppa_clauses(scope), Ppa.community_id.is_not(None)).group_by(Ppa.community_id).subquery())
    needs = (select(Need.community_id, func.count().label("n"),
                    func.count().filter(Need.status.in_(OPEN_NEEDS)).label("open"))
             .where(readable(Need, scope.viewer), Need.community_id.is_not(None))
             .group_by(Need.community_id).subquery())
    columns = LEVEL_COLUMNS[level]
    stmt = (
        select(*columns, func.count(Community.id), func.coalesce(func.sum(ppas.c.n), 0),
               func.coalesce(func.sum(ppas.c.budget), 0), func.coalesce(func.sum(needs.c.n), 0),
               func.coalesce(func.sum(needs.c.open), 0), func.avg(Community.latitude), func.avg(Community.longitude))
        .select_from(Community)
        .outerjoin(ppas, ppas.c.community_id == Community.id)
        .outerjoin(needs, needs.c.community_id == Community.id)
        .where(readable(Community, scope.viewer))
        .group_by(*columns).order_by(*columns).limit(limit)
    )
    width = len(columns)
    places = []
    for row in (await session.execute(stmt)).tuples():
        keys = list(row[:width]) + [None] * (4 - width)
        communities, ppa_count, budget, need_count, open_count, lat, lon = row[width:]
        places.append(PlaceFigures(
            region=keys[0], province=keys[1], municipality=keys[2], community_id=keys[3],
            communities=int(communities), ppa_count=int(ppa_count), budget_allocated=Decimal(budget),
            needs=int(need_count), open_needs=int(open_count),
            latitude=float(lat) if lat is not None else None, longitude=float(lon) if lon is not None else None,
        ))
    return places


@dataclass(frozen=True, slots=True)
class Overlap:
    rank: int
    ppa_id: int
    other_ppa_id: int
    community_id: int
    sector: str
    starts_on: date | None  # None: both open at the start
    ends_on: date | None  # None: both open-ended
    overlap_days: int | None  # None when open-ended
    combined_budget: Decimal


async def overlaps(session: AsyncSession, scope: DashboardScope, limit: int) -> list[Overlap]:
    """Pairs of current PPAs of different MAOs serving the same community and sector in overlapping
    periods, most overlap first (open-ended overlaps first), then by combined budget."""
    a, b = aliased(Ppa), aliased(Ppa)
    infinity, minus_infinity = cast(literal("infinity"), Date), cast(literal("-infinity"), Date)
    start = func.greatest(func.coalesce(a.starts_on, minus_infinity), func.coalesce(b.starts_on, minus_infinity))
    end = func.least(func.coalesce(a.ends_on, infinity), func.coalesce(b.ends_on, infinity))
    days = case((or_(end == infinity, start == minus_infinity), None), else_=end - start + 1)
    budget = a.budget_allocated + b.budget_allocated
    stmt = (
        select(a.id, b.id, a.community_id, a.sector, case((start == minus_infinity, None), else_=start),
               case((end == infinity, None), else_=end), days, budget)
        .select_from(a).join(b, and_(a.community_id == b.community_id, a.sector == b.sector, a.id < b.id))
        .where(*ppa_clauses(scope, a, with_teams=False), *ppa_clauses(scope, b, with_teams=False),
               *([or_(a.lead_team_id.in_(list(scope.team_ids)), b.lead_team_id.in_(list(scope.team_ids)))]
                 if scope.team_ids is not None else []),
               a.community_id.is_not(None), a.sector != "", a.lead_team_id.is_not(None),
               b.lead_team_id.is_not(None), a.lead_team_id != b.lead_team_id,
               a.status.not_in(FINISHED_PPAS), b.status.not_in(FINISHED_PPAS), start <= end)
        .order_by(days.desc().nulls_first(), budget.desc(), a.id, b.id)
        .limit(limit)
    )
    return [Overlap(rank, *row) for rank, row in enumerate((await session.execute(stmt)).tuples(), start=1)]


@dataclass(frozen=True, slots=True)
class SectorGap:
    sector: str
    needs: int
    highest_priority_score: Decimal | None


@dataclass(frozen=True, slots=True)
class CommunityGap:
    community_id: int
    sector: str
    needs: int


def covering_ppa(scope: DashboardScope, community: Any, sector: Any) -> ColumnElement[bool]:
    return (select(Ppa.id).where(*ppa_clauses(scope, with_teams=False), Ppa.community_id == community,
                                 Ppa.sector == sector, Ppa.status.not_in(FINISHED_PPAS)).exists())


async def needs_without_ppa(session: AsyncSession, scope: DashboardScope) -> list[SectorGap]:
    """Validated or prioritized needs that no current PPA addresses, per sector (need category)."""
    linked = (select(PpaNeed.need_id).join(Ppa, Ppa.id == PpaNeed.ppa_id)
              .where(PpaNeed.need_id == Need.id, *ppa_clauses(scope, with_teams=False),
                     Ppa.status != PpaStatus.CANCELLED).exists())
    stmt = (select(Need.category, func.count(), func.max(Need.priority_score))
            .where(readable(Need, scope.viewer), Need.status.in_(OPEN_NEEDS), ~linked)
            .group_by(Need.category).order_by(func.count().desc(), Need.category))
    return [SectorGap(sector, int(n), top) for sector, n, top in (await session.execute(stmt)).tuples()]


async def uncovered_communities(session: AsyncSession, scope: DashboardScope, limit: int) -> list[CommunityGap]:
    """(community, sector) pairs with open needs and no current PPA of that sector in the community."""
    stmt = (select(Need.community_id, Need.category, func.count())
            .join(Community, Community.id == Need.community_id)
            .where(readable(Need, scope.viewer), readable(Community, scope.viewer), Need.status.in_(OPEN_NEEDS),
                   ~covering_ppa(scope, Need.community_id, Need.category))
            .group_by(Need.community_id, Need.category)
            .order_by(func.count().desc(), Need.community_id, Need.category).limit(limit))
    return [CommunityGap(int(c or 0), sector, int(n)) for c, sector, n in (await session.execute(stmt)).tuples()]


async def snapshots(session: AsyncSession, viewer: Viewer, team_id: int | None, date_from: date,
                    date_to: date) -> list[DashboardSnapshot]:
    stmt = (policy_for(DashboardSnapshot).select(viewer)
            .where(DashboardSnapshot.taken_on >= date_from, DashboardSnapshot.taken_on <= date_to,
                   DashboardSnapshot.team_id.is_(None) if team_id is None else DashboardSnapshot.team_id == team_id)
            .order_by(DashboardSnapshot.taken_on))
    return list(await session.scalars(stmt))
