"""Teams (MAOs) and their memberships: office-wide, every signed-in user reads them."""
from __future__ import annotations

from db.models import Team, TeamMembership
from db.policies.base import OfficeWidePolicy


class TeamPolicy(OfficeWidePolicy[Team]):
    model = Team
    entity_type = "Team"


class TeamMembershipPolicy(OfficeWidePolicy[TeamMembership]):
    model = TeamMembership
    entity_type = "TeamMembership"
