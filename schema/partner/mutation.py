from __future__ import annotations

import strawberry

from resolvers import partner as resolve
from schema.core.mutation_field import mutation_field


@strawberry.type
class PartnerMutation:
    create_api_key = mutation_field(
        resolve.create_api_key, description="ADMIN: a read-only API key for a partner system.")

    revoke_api_key = mutation_field(
        resolve.revoke_api_key, description="ADMIN: the key stops working at once; its webhooks stop too.")

    create_webhook = mutation_field(
        resolve.create_webhook, description="ADMIN: POST signed changes the key may see to a URL.")

    set_webhook_active = mutation_field(resolve.set_webhook_active)

    retry_webhook_delivery = mutation_field(
        resolve.retry_webhook_delivery, description="ADMIN: send a dead (or pending) delivery again now.")
