from __future__ import annotations

import strawberry

from schema.partner.types import ApiModuleEnum


@strawberry.input
class CreateApiKeyInput:
    name: str
    modules: list[ApiModuleEnum]  # type: ignore[valid-type]
    requests_per_minute: int = 120
    team_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Read only what belongs to these teams (their PPAs, tasks, events, bookings...); "
                                  "null: every team.")


@strawberry.input
class RevokeApiKeyInput:
    id: strawberry.ID


@strawberry.input
class CreateWebhookInput:
    api_key_id: strawberry.ID
    url: str
    entity_types: list[str] = strawberry.field(
        default_factory=list, description="Change types to send (e.g. Task, Event, Ppa); empty: all the key may see."
    )


@strawberry.input
class SetWebhookActiveInput:
    id: strawberry.ID
    active: bool


@strawberry.input
class RetryWebhookDeliveryInput:
    id: strawberry.ID
