"""Communities: office-wide, every signed-in user reads them."""
from __future__ import annotations

from db.enums import Role
from db.models import Community
from db.policies.base import CataloguePolicy
from db.policies.write import RoleEditable


class CommunityPolicy(RoleEditable, CataloguePolicy[Community]):
    """Any writer adds a community; MANAGER and ADMIN correct one."""

    model = Community
    entity_type = "Community"
    editor_roles = (Role.MANAGER, Role.ADMIN)


COMMUNITIES = CommunityPolicy()
