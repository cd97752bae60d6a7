"""Assessments: office-wide, every signed-in user reads them."""
from __future__ import annotations

from db.models import Assessment
from db.policies.base import OfficeWidePolicy


class AssessmentPolicy(OfficeWidePolicy[Assessment]):
    model = Assessment
    entity_type = "Assessment"
