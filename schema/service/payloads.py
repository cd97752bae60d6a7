from __future__ import annotations

import strawberry

from schema.core.errors import UserError
from schema.service.types import ServiceRequestType, ServiceType


@strawberry.type
class ServicePayload:
    service: ServiceType | None
    errors: list[UserError]


@strawberry.type
class SubmitServiceRequestPayload:
    tracking_code: str | None = strawberry.field(description="Keep it: trackServiceRequest shows the status.")
    errors: list[UserError]


@strawberry.type
class HandleServiceRequestPayload:
    request: ServiceRequestType | None
    errors: list[UserError]
