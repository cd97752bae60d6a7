"""Assessments: office-wide, every signed-in user reads them."""
from __future__ import annotations

from sqlalchemy import ColumnElement

from db.models import Assessment
from db.policies.base import OfficeWidePolicy
from db.policies.teams import of_teams


class AssessmentPolicy(OfficeWidePolicy[Assessment]):
    model = Assessment
    entity_type = "Assessment"

    def in_teams(self, team_ids: frozenset[int]) -> ColumnElement[bool]:
        return of_teams(Assessment.lead_team_id, team_ids)
