"""The OCM coordination dashboard's types: plain figures, related objects through loaders."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Self

import strawberry

from db.models import DashboardSnapshot
from db.queries.dashboard import (
    CommunityGap,
    MaoFigures,
    Overlap,
    PlaceFigures,
    PlaceLevel,
    SectorGap,
)
from schema.community.types import CommunityType
from schema.core.node import load_node
from schema.ppa.types import PpaType
from schema.user.types import TeamType

PlaceLevelEnum = strawberry.enum(PlaceLevel, name="PlaceLevel")


@strawberry.type(name="MaoSummary", description="One MAO's (team's) PPAs as lead team, or the office total.")
class MaoSummaryType:
    team: TeamType | None = strawberry.field(description="Null on the office-wide total.")
    ppa_count: int
    active_ppa_count: int
    completed_ppa_count: int
    budget_allocated: Decimal
    budget_approved: Decimal
    average_progress: float
    needs_linked: int
    needs_addressed: int
    overdue_tasks: int
    communities: int = strawberry.field(description="Distinct communities its PPAs serve.")

    @classmethod
    def of(cls, figures: MaoFigures, team: TeamType | None) -> Self:
        return cls(team=team, ppa_count=figures.ppa_count, active_ppa_count=figures.active_ppa_count,
                   completed_ppa_count=figures.completed_ppa_count, budget_allocated=figures.budget_allocated,
                   budget_approved=figures.budget_approved, average_progress=float(figures.average_progress),
                   needs_linked=figures.needs_linked, needs_addressed=figures.needs_addressed,
                   overdue_tasks=figures.overdue_tasks, communities=figures.communities)


@strawberry.type(name="PlaceSummary", description="Heat-map data for one region, province, municipality or community.")
class PlaceSummaryType:
    region: str
    province: str | None
    municipality: str | None
    communities: int
    ppa_count: int
    budget_allocated: Decimal
    needs: int
    open_needs: int = strawberry.field(description="Validated or prioritized needs.")
    latitude: float | None = strawberry.field(description="The community's, or the mean of the known ones.")
    longitude: float | None
    _community_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, p: PlaceFigures) -> Self:
        return cls(region=p.region, province=p.province, municipality=p.municipality, communities=p.communities,
                   ppa_count=p.ppa_count, budget_allocated=p.budget_allocated, needs=p.needs,
                   open_needs=p.open_needs, latitude=p.latitude, longitude=p.longitude, _community_id=p.community_id)

    @strawberry.field(description="Set at the COMMUNITY level.")
    async def community(self, info: strawberry.Info) -> CommunityType | None:
        return await load_node(info, CommunityType, self._community_id)


@strawberry.type(name="BeneficiaryOverlap",
                 description="Two current PPAs of different MAOs serving one community and sector at the same time.")
class BeneficiaryOverlapType:
    rank: int
    sector: str
    starts_on: date | None = strawberry.field(description="Start of the shared period; null when both are open.")
    ends_on: date | None = strawberry.field(description="End of the shared period; null when both are open-ended.")
    overlap_days: int | None = strawberry.field(description="Null when open-ended (ranked first).")
    combined_budget: Decimal
    _overlap: strawberry.Private[Overlap]

    @classmethod
    def of(cls, o: Overlap) -> Self:
        return cls(rank=o.rank, sector=o.sector, starts_on=o.starts_on, ends_on=o.ends_on,
                   overlap_days=o.overlap_days, combined_budget=o.combined_budget, _overlap=o)

    @strawberry.field
    async def ppa(self, info: strawberry.Info) -> PpaType | None:
        return await load_node(info, PpaType, self._overlap.ppa_id)

    @strawberry.field
    async def other_ppa(self, info: strawberry.Info) -> PpaType | None:
        return await load_node(info, PpaType, self._overlap.other_ppa_id)

    @strawberry.field
    async def community(self, info: strawberry.Info) -> CommunityType | None:
        return await load_node(info, CommunityType, self._overlap.community_id)


@strawberry.type(name="SectorGap", description="Validated or prioritized needs of a sector that no PPA addresses.")
class SectorGapType:
    sector: str
    needs: int
    highest_priority_score: float | None

    @classmethod
    def of(cls, g: SectorGap) -> Self:
        score = float(g.highest_priority_score) if g.highest_priority_score is not None else None
        return cls(sector=g.sector, needs=g.needs, highest_priority_score=score)


@strawberry.type(name="CommunityGap", description="A community with open needs of a sector and no PPA of it.")
class CommunityGapType:
    sector: str
    needs: int
    _community_id: strawberry.Private[int]

    @classmethod
    def of(cls, g: CommunityGap) -> Self:
        return cls(sector=g.sector, needs=g.needs, _community_id=g.community_id)

    @strawberry.field
    async def community(self, info: strawberry.Info) -> CommunityType | None:
        return await load_node(info, CommunityType, self._community_id)


@strawberry.type(name="DashboardSnapshot", description="One day's figures (taken by the daily snapshot job).")
class DashboardSnapshotType:
    taken_on: date
    ppa_count: int
    active_ppa_count: int
    completed_ppa_count: int
    budget_allocated: Decimal
    budget_approved: Decimal
    average_progress: float
    needs_linked: int
    needs_addressed: int
    overdue_tasks: int

    @classmethod
    def of(cls, s: DashboardSnapshot) -> Self:
        return cls(taken_on=s.taken_on, ppa_count=s.ppa_count, active_ppa_count=s.active_ppa_count,
                   completed_ppa_count=s.completed_ppa_count, budget_allocated=s.budget_allocated,
                   budget_approved=s.budget_approved, average_progress=float(s.average_progress),
                   needs_linked=s.needs_linked, needs_addressed=s.needs_addressed, overdue_tasks=s.overdue_tasks)
