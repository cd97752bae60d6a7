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


@strawberry.input(description="Omitted fields stay as they are. isActive: false deactivates (no new bookings).")
class UpdateResourceInput:
    id: strawberry.ID
    expected_version: int = strawberry.field(description="The version read; a newer one answers CONFLICT.")
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    location: str | None = strawberry.UNSET
    capacity: int | None = strawberry.UNSET
    requires_approval: bool | None = strawberry.UNSET
    buffer_before_minutes: int | None = strawberry.UNSET
    buffer_after_minutes: int | None = strawberry.UNSET
    is_active: bool | None = strawberry.UNSET


@strawberry.input
class DeactivateResourceInput:
    id: strawberry.ID
    expected_version: int
