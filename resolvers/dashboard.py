"""The coordination dashboard per request: the scope is decided once, each part is one statement
(the MAO figures are shared by ``total`` and ``maos``); related objects come from loaders."""
from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from db.models import Team
from db.policies import policy_for
from db.queries import dashboard as q
from resolvers.mutation import validation
from schema.core.ids import decode_ids, decode_optional_id
from schema.dashboard.types import (
    BeneficiaryOverlapType,
    CommunityGapType,
    DashboardSnapshotType,
    MaoSummaryType,
    PlaceSummaryType,
    SectorGapType,
)
from schema.user.types import TeamType
from server.context import Context

MAX_PLACES = 5000
MAX_OVERLAPS = 500
MAX_GAPS = 1000
MAX_TREND_DAYS = 800


def bounded(value: int, limit: int, field: str) -> int:
    if not 1 <= value <= limit:
        raise validation(f"Must be between 1 and {limit}.", field)
    return value


def dashboard(ctx: Context, team_ids: Sequence[str] | None, date_from: date | None, date_to: date | None) -> Dashboard:
    ctx.require_user()
    if date_from is not None and date_to is not None and date_to < date_from:
        raise validation("Must not be before dateFrom.", "filter.dateTo")
    teams = decode_ids(team_ids, "Team", field="filter.teamIds")
    scope = q.DashboardScope(viewer=ctx.viewer, now=datetime.now(UTC), team_ids=tuple(teams) if teams else None,
                             date_from=date_from, date_to=date_to)
    return Dashboard(ctx, scope)


@dataclass
class Dashboard:
    ctx: Context
    scope: q.DashboardScope
    _figures: asyncio.Task[tuple[list[q.MaoFigures], q.MaoFigures]] | None = field(default=None)

    async def figures(self) -> tuple[list[q.MaoFigures], q.MaoFigures]:
        if self._figures is None:
            self._figures = asyncio.ensure_future(q.mao_figures(self.ctx.session, self.scope))
        return await self._figures

    async def total(self) -> MaoSummaryType:
        return MaoSummaryType.of((await self.figures())[1], None)

    async def maos(self) -> list[MaoSummaryType]:
        per_team, _ = await self.figures()
        by_team = {f.team_id: f for f in per_team}
        stmt = policy_for(Team).select(self.ctx.viewer).order_by(Team.name, Team.id)
        if self.scope.team_ids is not None:
            stmt = stmt.where(Team.id.in_(list(self.scope.team_ids)))
        teams = list(await self.ctx.session.scalars(stmt))
        return [MaoSummaryType.of(by_team.get(t.id) or q.MaoFigures(team_id=t.id), TeamType.from_model(t))
                for t in teams]

    async def places(self, level: q.PlaceLevel, first: int) -> list[PlaceSummaryType]:
        rows = await q.place_figures(self.ctx.session, self.scope, q.PlaceLevel(level),
                                     bounded(first, MAX_PLACES, "first"))
        return [PlaceSummaryType.of(p) for p in rows]

    async def overlaps(self, first: int) -> list[BeneficiaryOverlapType]:
        rows = await q.overlaps(self.ctx.session, self.scope, bounded(first, MAX_OVERLAPS, "first"))
        return [BeneficiaryOverlapType.of(o) for o in rows]

    async def needs_without_ppa(self) -> list[SectorGapType]:
        return [SectorGapType.of(g) for g in await q.needs_without_ppa(self.ctx.session, self.scope)]

    async def uncovered_communities(self, first: int) -> list[CommunityGapType]:
        rows = await q.uncovered_communities(self.ctx.session, self.scope, bounded(first, MAX_GAPS, "first"))
        return [CommunityGapType.of(g) for g in rows]

    async def trend(self, date_from: date, date_to: date, team_id: str | None) -> list[DashboardSnapshotType]:
        if date_to < date_from or (date_to - date_from).days > MAX_TREND_DAYS:
            raise validation(f"dateTo must be after dateFrom, at most {MAX_TREND_DAYS} days later.", "dateTo")
        team = decode_optional_id(team_id, "Team", field="teamId")
        rows = await q.snapshots(self.ctx.session, self.ctx.viewer, team, date_from, date_to)
        return [DashboardSnapshotType.of(s) for s in rows]



