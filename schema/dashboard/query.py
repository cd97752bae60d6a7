"""coordinationDashboard: the OCM's consolidated view across MAOs (one statement per selected part)."""
from __future__ import annotations

from datetime import date

import strawberry

from resolvers import dashboard as resolve
from resolvers.dashboard import Dashboard
from schema.dashboard.types import (
    BeneficiaryOverlapType,
    CommunityGapType,
    DashboardSnapshotType,
    MaoSummaryType,
    PlaceLevelEnum,
    PlaceSummaryType,
    SectorGapType,
)


@strawberry.input
class DashboardFilter:
    team_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="MAOs (lead teams).")
    date_from: date | None = strawberry.field(default=None, description="PPAs running on or after this day.")
    date_to: date | None = strawberry.field(default=None, description="PPAs running on or before this day.")


@strawberry.type(name="CoordinationDashboard")
class CoordinationDashboardType:
    _dashboard: strawberry.Private[Dashboard]

    @strawberry.field(description="The office total over the PPAs in scope.")
    async def total(self) -> MaoSummaryType:
        return await self._dashboard.total()

    @strawberry.field(description="One row per MAO (team) in scope, PPAs by lead team; zero rows included.")
    async def maos(self) -> list[MaoSummaryType]:
        return await self._dashboard.maos()

    @strawberry.field(description="Breakdown by place, with coordinates where known (heat-map data).")
    async def places(self, level: PlaceLevelEnum = PlaceLevelEnum.PROVINCE,  # type: ignore[valid-type]
                     first: int = 1000) -> list[PlaceSummaryType]:
        return await self._dashboard.places(level, first)

    @strawberry.field(description="Beneficiary overlaps between MAOs, most overlap first.")
    async def overlaps(self, first: int = 50) -> list[BeneficiaryOverlapType]:
        return await self._dashboard.overlaps(first)

    @strawberry.field(description="Validated or prioritized needs no PPA addresses, by sector.")
    async def needs_without_ppa(self) -> list[SectorGapType]:
        return await self._dashboard.needs_without_ppa()

    @strawberry.field(description="Communities with open needs of a sector and no PPA of it.")
    async def uncovered_communities(self, first: int = 100) -> list[CommunityGapType]:
        return await self._dashboard.uncovered_communities(first)

    @strawberry.field(description="Daily snapshots for trend charts (one MAO's, or the office's without teamId).")
    async def trend(self, date_from: date, date_to: date, team_id: strawberry.ID | None = None
                    ) -> list[DashboardSnapshotType]:
        return await self._dashboard.trend(date_from, date_to, team_id)


@strawberry.type
class DashboardQuery:
    @strawberry.field(description="The OCM coordination dashboard (signed-in users).")
    def coordination_dashboard(self, info: strawberry.Info, filter: DashboardFilter | None = None
                               ) -> CoordinationDashboardType:
        f = filter or DashboardFilter()
        return CoordinationDashboardType(_dashboard=resolve.dashboard(info.context, f.team_ids, f.date_from, f.date_to))
