from __future__ import annotations

import strawberry

from schema.core.errors import UserError
from schema.partner.types import ApiKeyType, WebhookDeliveryType, WebhookType


@strawberry.type
class CreateApiKeyPayload:
    api_key: ApiKeyType | None
    secret: str | None = strawberry.field(description="The bearer token; shown only in this response.")
    errors: list[UserError]


@strawberry.type
class ApiKeyPayload:
    api_key: ApiKeyType | None
    errors: list[UserError]


@strawberry.type
class CreateWebhookPayload:
    webhook: WebhookType | None
    signing_secret: str | None = strawberry.field(description="Verifies Almanac-Signature; shown only here.")
    errors: list[UserError]


@strawberry.type
class WebhookPayload:
    webhook: WebhookType | None
    errors: list[UserError]


@strawberry.type
class WebhookDeliveryPayload:
    delivery: WebhookDeliveryType | None
    errors: list[UserError]
