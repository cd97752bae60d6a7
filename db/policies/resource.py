"""Resources (vehicles, rooms, equipment): office-wide, every signed-in user reads them.

Their bookings have their own policy (``booking.py``).
"""
from __future__ import annotations

from db.models import Resource
from db.policies.base import CataloguePolicy


class ResourcePolicy(CataloguePolicy[Resource]):
    model = Resource
    entity_type = "Resource"
