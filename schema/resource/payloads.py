from __future__ import annotations

import strawberry

from schema.core.errors import UserError
from schema.resource.types import ResourceType


@strawberry.type
class CreateResourcePayload:
    resource: ResourceType | None
    errors: list[UserError]


@strawberry.type
class UpdateResourcePayload:
    resource: ResourceType | None
    errors: list[UserError]
