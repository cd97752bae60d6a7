from __future__ import annotations

import strawberry

from resolvers import partner as resolve
from schema.core.connection import Connection
from schema.partner.types import ApiKeyType, DeliveryStatusEnum, WebhookDeliveryType, WebhookType


@strawberry.type
class PartnerQuery:
    @strawberry.field(description="ADMIN: every API key, newest first.")
    async def api_keys(self, info: strawberry.Info, first: int | None = None,
                       after: str | None = None) -> Connection[ApiKeyType]:
        return await resolve.api_keys(info.context, first=first, after=after)

    @strawberry.field(description="ADMIN: every webhook, newest first.")
    async def webhooks(self, info: strawberry.Info, first: int | None = None,
                       after: str | None = None) -> Connection[WebhookType]:
        return await resolve.webhooks(info.context, first=first, after=after)

    @strawberry.field(description="ADMIN: deliveries by status; status DEAD is the dead-letter view.")
    async def webhook_deliveries(
        self, info: strawberry.Info, status: DeliveryStatusEnum | None = None,  # type: ignore[valid-type]
        first: int | None = None, after: str | None = None,
    ) -> Connection[WebhookDeliveryType]:
        return await resolve.webhook_deliveries(info.context, status=status, first=first, after=after)
