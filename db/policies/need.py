"""Needs: office-wide, every signed-in user reads them."""
from __future__ import annotations

from sqlalchemy import ColumnElement

from db.models import Need
from db.policies.base import OfficeWidePolicy
from db.policies.teams import need_in_teams


class NeedPolicy(OfficeWidePolicy[Need]):
    model = Need
    entity_type = "Need"

    def in_teams(self, team_ids: frozenset[int]) -> ColumnElement[bool]:
        return need_in_teams(Need.id, Need.assessment_id, team_ids)
