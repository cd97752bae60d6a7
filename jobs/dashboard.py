"""The daily dashboard snapshot: today's per-MAO and office figures, kept for trend charts.

Idempotent per day: a second run the same day overwrites that day's rows (upsert on
day and team), so retries and several workers are harmless. Every team gets a row,
zero figures included, so a chart has no gaps."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert

from db.models import DashboardSnapshot, Team
from db.queries.dashboard import DashboardScope, MaoFigures, mao_figures
from jobs.context import JobCtx, now, sessionmaker_of
from jobs.quarterly import organisation_timezone
from jobs.retry import retry_transient

FIGURES = ("ppa_count", "active_ppa_count", "completed_ppa_count", "budget_allocated", "budget_approved",
           "average_progress", "needs_linked", "needs_addressed", "overdue_tasks")


def row(day: Any, figures: MaoFigures) -> dict[str, Any]:
    return {"taken_on": day, "team_id": figures.team_id, **{name: getattr(figures, name) for name in FIGURES}}


@retry_transient
async def snapshot_dashboard(ctx: JobCtx) -> int:
    """Rows written (every team plus the total)."""
    moment: datetime = now(ctx)
    day = moment.astimezone(ZoneInfo(organisation_timezone(ctx))).date()
    async with sessionmaker_of(ctx)() as session, session.begin():
        per_team, total = await mao_figures(session, DashboardScope(viewer=None, now=moment))
        found = {f.team_id: f for f in per_team}
        team_ids = list(await session.scalars(select(Team.id).order_by(Team.id)))
        rows = [row(day, found.get(t) or MaoFigures(team_id=t)) for t in team_ids] + [row(day, total)]
        stmt = insert(DashboardSnapshot).values(rows)
        await session.execute(stmt.on_conflict_do_update(
            index_elements=[DashboardSnapshot.taken_on, text("coalesce(team_id, 0)")],
            set_={name: stmt.excluded[name] for name in FIGURES} | {"updated_at": moment},
        ))
        return len(rows)
