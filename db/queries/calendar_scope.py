"""What a calendar window asks for: the window, the viewer and the filters.

Every source ANDs its entity's access policy for ``viewer`` (``db.policies``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.enums import CalendarModule
from db.policies.viewer import Viewer


@dataclass(frozen=True, slots=True)
class CalendarScope:
    start: datetime
    end: datetime
    viewer: Viewer
    modules: frozenset[CalendarModule] | None = None
    resource_ids: tuple[int, ...] | None = None
    assignee_ids: tuple[int, ...] | None = None
    community_ids: tuple[int, ...] | None = None

    def wants(self, module: CalendarModule) -> bool:
        return self.modules is None or module in self.modules

    @property
    def only_resources(self) -> bool:
        """Sources unrelated to resources drop out while a resource filter is set."""
        return self.resource_ids is not None
