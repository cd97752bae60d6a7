from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Self

import strawberry

from db.models import ApiKey, Webhook, WebhookDelivery
from db.models.partner import ApiModule, DeliveryStatus
from schema.core.node import ModelNode, load_node
from schema.user.types import TeamType

ApiModuleEnum = strawberry.enum(ApiModule, name="ApiModule")
DeliveryStatusEnum = strawberry.enum(DeliveryStatus, name="WebhookDeliveryStatus")


@strawberry.type(name="ApiKey", description="A partner system's read-only key (the secret is shown only once).")
class ApiKeyType(ModelNode):
    model = ApiKey

    id: strawberry.relay.NodeID[int]
    name: str
    prefix: str
    modules: list[ApiModuleEnum]  # type: ignore[valid-type]
    requests_per_minute: int
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    _team_ids: strawberry.Private[list[int] | None]

    @classmethod
    def from_model(cls, row: ApiKey) -> Self:
        return cls(
            id=row.id, name=row.name, prefix=row.prefix, modules=[ApiModule(m) for m in row.modules],
            requests_per_minute=row.requests_per_minute, created_at=row.created_at, revoked_at=row.revoked_at,
            last_used_at=row.last_used_at, _team_ids=list(row.team_ids) if row.team_ids is not None else None,
        )

    @strawberry.field(description="The teams whose records the key reads; null: every team.")
    async def teams(self, info: strawberry.Info) -> list[TeamType] | None:
        if self._team_ids is None:
            return None
        found = await asyncio.gather(*(load_node(info, TeamType, pk) for pk in self._team_ids))  # one batch
        return [team for team in found if team is not None]


@strawberry.type(name="Webhook", description="Where changes of chosen types are POSTed, signed (HMAC-SHA256).")
class WebhookType(ModelNode):
    model = Webhook

    id: strawberry.relay.NodeID[int]
    url: str
    entity_types: list[str]
    active: bool
    created_at: datetime
    _api_key_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, row: Webhook) -> Self:
        return cls(id=row.id, url=row.url, entity_types=list(row.entity_types), active=row.active,
                   created_at=row.created_at, _api_key_id=row.api_key_id)

    @strawberry.field
    async def api_key(self, info: strawberry.Info) -> ApiKeyType | None:
        return await load_node(info, ApiKeyType, self._api_key_id)


@strawberry.type(name="WebhookDelivery", description="One change sent (or to be sent) to one webhook.")
class WebhookDeliveryType(ModelNode):
    model = WebhookDelivery

    id: strawberry.relay.NodeID[int]
    position: int
    idempotency_key: str
    status: DeliveryStatusEnum  # type: ignore[valid-type]
    attempts: int
    next_attempt_at: datetime
    last_error: str
    delivered_at: datetime | None
    _webhook_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, row: WebhookDelivery) -> Self:
        return cls(
            id=row.id, position=row.position, idempotency_key=row.idempotency_key, status=row.status,
            attempts=row.attempts, next_attempt_at=row.next_attempt_at, last_error=row.last_error,
            delivered_at=row.delivered_at, _webhook_id=row.webhook_id,
        )

    @strawberry.field
    async def webhook(self, info: strawberry.Info) -> WebhookType | None:
        return await load_node(info, WebhookType, self._webhook_id)
