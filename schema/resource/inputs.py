"""Inputs for resources."""
from __future__ import annotations

import strawberry

from schema.resource.types import ResourceKindEnum


@strawberry.input
class CreateResourceInput:
    name: str
    kind: ResourceKindEnum  # type: ignore[valid-type]
    description: str = ""
    location: str = ""
    capacity: int | None = None
    requires_approval: bool = False
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0


@strawberry.input
class ResourceFilter:
    search: str | None = None
    kinds: list[ResourceKindEnum] | None = None  # type: ignore[valid-type]
    is_active: bool | None = None
    requires_approval: bool | None = None
