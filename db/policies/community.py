"""Communities: office-wide, every signed-in user reads them."""
from __future__ import annotations

from db.models import Community
from db.policies.base import CataloguePolicy


class CommunityPolicy(CataloguePolicy[Community]):
    model = Community
    entity_type = "Community"
