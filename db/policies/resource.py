"""Resources (vehicles, rooms, equipment): office-wide, every signed-in user reads them.

Their bookings have their own policy (``booking.py``).
"""
from __future__ import annotations

from db.enums import Role
from db.models import Resource
from db.policies.base import CataloguePolicy
from db.policies.write import RoleEditable


class ResourcePolicy(RoleEditable, CataloguePolicy[Resource]):
    """Created, edited and deactivated by MANAGER and ADMIN; booked by any writer."""

    model = Resource
    entity_type = "Resource"
    editor_roles = (Role.MANAGER, Role.ADMIN)


RESOURCES = ResourcePolicy()
