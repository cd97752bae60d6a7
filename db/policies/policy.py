"""Policies (ordinances, guidelines): office-wide, every signed-in user reads them."""
from __future__ import annotations

from db.models import Policy
from db.policies.base import CataloguePolicy


class PolicyDocumentPolicy(CataloguePolicy[Policy]):
    model = Policy
    entity_type = "Policy"
