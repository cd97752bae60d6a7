"""Dashboard snapshots: office-wide figures (aggregates of office-wide PPAs, needs and
tasks), every signed-in user reads them."""
from __future__ import annotations

from sqlalchemy import ColumnElement

from db.models import DashboardSnapshot
from db.policies.base import OfficeWidePolicy
from db.policies.teams import of_teams


class DashboardSnapshotPolicy(OfficeWidePolicy[DashboardSnapshot]):
    model = DashboardSnapshot
    entity_type = "DashboardSnapshot"

    def in_teams(self, team_ids: frozenset[int]) -> ColumnElement[bool]:
        return of_teams(DashboardSnapshot.team_id, team_ids)  # the office-wide total (no team) is not theirs
