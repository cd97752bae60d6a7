"""Needs: office-wide, every signed-in user reads them."""
from __future__ import annotations

from db.models import Need
from db.policies.base import OfficeWidePolicy


class NeedPolicy(OfficeWidePolicy[Need]):
    model = Need
    entity_type = "Need"
