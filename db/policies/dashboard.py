"""Dashboard snapshots: office-wide figures (aggregates of office-wide PPAs, needs and
tasks), every signed-in user reads them."""
from __future__ import annotations

from db.models import DashboardSnapshot
from db.policies.base import OfficeWidePolicy


class DashboardSnapshotPolicy(OfficeWidePolicy[DashboardSnapshot]):
    model = DashboardSnapshot
    entity_type = "DashboardSnapshot"
