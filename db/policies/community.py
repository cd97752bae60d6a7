"""Communities: office-wide, every signed-in user reads them."""
from __future__ import annotations

from db.models import Community
from db.policies.base import OfficeWidePolicy


class CommunityPolicy(OfficeWidePolicy[Community]):
    model = Community
    entity_type = "Community"
