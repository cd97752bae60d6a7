from __future__ import annotations

import strawberry

from resolvers import partner as resolve
from schema.partner.inputs import (
    CreateApiKeyInput,
    CreateWebhookInput,
    RetryWebhookDeliveryInput,
    RevokeApiKeyInput,
    SetWebhookActiveInput,
)
from schema.partner.payloads import (
    ApiKeyPayload,
    CreateApiKeyPayload,
    CreateWebhookPayload,
    WebhookDeliveryPayload,
    WebhookPayload,
)


@strawberry.type
class PartnerMutation:
    @strawberry.mutation(description="ADMIN: a read-only API key for a partner system.")
    async def create_api_key(self, info: strawberry.Info, input: CreateApiKeyInput) -> CreateApiKeyPayload:
        return await resolve.create_api_key(info.context, input)

    @strawberry.mutation(description="ADMIN: the key stops working at once; its webhooks stop too.")
    async def revoke_api_key(self, info: strawberry.Info, input: RevokeApiKeyInput) -> ApiKeyPayload:
        return await resolve.revoke_api_key(info.context, input)

    @strawberry.mutation(description="ADMIN: POST signed changes the key may see to a URL.")
    async def create_webhook(self, info: strawberry.Info, input: CreateWebhookInput) -> CreateWebhookPayload:
        return await resolve.create_webhook(info.context, input)

    @strawberry.mutation
    async def set_webhook_active(self, info: strawberry.Info, input: SetWebhookActiveInput) -> WebhookPayload:
        return await resolve.set_webhook_active(info.context, input)

    @strawberry.mutation(description="ADMIN: send a dead (or pending) delivery again now.")
    async def retry_webhook_delivery(
        self, info: strawberry.Info, input: RetryWebhookDeliveryInput
    ) -> WebhookDeliveryPayload:
        return await resolve.retry_webhook_delivery(info.context, input)
