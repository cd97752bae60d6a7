"""Partner API administration (ADMIN only): API keys, webhooks and the dead-letter view."""
from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import strawberry
from sqlalchemy import select

from db.enums import ChangeOp
from db.models import ApiKey, Team, Webhook, WebhookDelivery
from db.models.partner import ApiModule, DeliveryStatus
from db.policies import policy_for
from db.policies.partner import ADMIN_ROLES, API_KEYS, WEBHOOK_DELIVERIES, WEBHOOKS
from db.queries.change_log import head_position
from db.queries.logs import record_audit, record_change
from resolvers import validation as v
from resolvers.mutation import not_found, run_mutation, validation
from resolvers.targets import editable_target
from schema.core.connection import Connection, paginate
from schema.core.ids import decode_id
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
from schema.partner.types import ApiKeyType, WebhookDeliveryType, WebhookType
from server.api_keys import digest, issue_key
from server.context import Context

MAX_REQUESTS_PER_MINUTE = 6000
MAX_KEY_TEAMS = 100
ENTITY_TYPES = frozenset({"Event", "Task", "Ppa", "PpaMilestone", "PpaStage", "Need", "Assessment", "Policy",
                          "Community", "Resource", "Booking", "TaskTemplate", "Team", "User"})


def webhook_url(value: str) -> str:
    url = v.text(value, "input.url", max_length=2000)
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.username or parts.password:
        raise validation("The URL must be http(s)://host/path without credentials.", "input.url")
    return url


async def key_teams(ctx: Context, values: list[strawberry.ID] | None) -> list[int] | None:
    """The teams a new key is limited to (None: every team); each must exist."""
    if values is None:
        return None
    if not values:
        raise validation("Name at least one team, or leave teamIds out for every team.", "input.teamIds")
    if len(values) > MAX_KEY_TEAMS:
        raise validation(f"At most {MAX_KEY_TEAMS} teams.", "input.teamIds")
    ids = sorted({decode_id(str(value), "Team", field="input.teamIds") for value in values})
    found = set(await ctx.session.scalars(select(Team.id).where(Team.id.in_(ids))))
    if missing := [pk for pk in ids if pk not in found]:
        raise not_found(f"Team {missing[0]}", "input.teamIds")
    return ids


async def create_api_key(ctx: Context, input: CreateApiKeyInput) -> CreateApiKeyPayload:
    async def work() -> CreateApiKeyPayload:
        admin = ctx.require_role(*API_KEYS.editor_roles)
        if not input.modules:
            raise validation("Choose at least one module the key may read.", "input.modules")
        v.number_range(input.requests_per_minute, "input.requestsPerMinute", low=1, high=MAX_REQUESTS_PER_MINUTE)
        team_ids = await key_teams(ctx, input.team_ids)
        issued = issue_key()
        key = ApiKey(name=v.text(input.name, "input.name", max_length=200), prefix=issued.prefix,
                     secret_sha256=digest(issued.secret), modules=sorted({ApiModule(m).value for m in input.modules}),
                     requests_per_minute=input.requests_per_minute, created_by_id=admin.id, team_ids=team_ids)
        ctx.session.add(key)
        await ctx.session.flush()
        await record_change(ctx.session, "ApiKey", key.id, ChangeOp.CREATED, actor_id=admin.id)
        record_audit(ctx.session, actor_id=admin.id, action="create", entity_type="ApiKey", entity_id=key.id,
                     after={"name": key.name, "prefix": key.prefix, "modules": key.modules, "team_ids": key.team_ids})
        await ctx.commit()
        return CreateApiKeyPayload(api_key=ApiKeyType.from_model(key), secret=issued.secret, errors=[])

    return await run_mutation(ctx, work, lambda e: CreateApiKeyPayload(api_key=None, secret=None, errors=e))


async def revoke_api_key(ctx: Context, input: RevokeApiKeyInput) -> ApiKeyPayload:
    async def work() -> ApiKeyPayload:
        admin = ctx.require_role(*API_KEYS.editor_roles)
        pk = decode_id(str(input.id), "ApiKey", field="input.id")
        key: ApiKey = await editable_target(ctx, API_KEYS, pk, "ApiKey", "input.id", for_update=True)
        key.revoked_at = key.revoked_at or datetime.now(UTC)
        await record_change(ctx.session, "ApiKey", key.id, ChangeOp.UPDATED, actor_id=admin.id)
        record_audit(ctx.session, actor_id=admin.id, action="revoke", entity_type="ApiKey", entity_id=key.id)
        await ctx.commit()
        return ApiKeyPayload(api_key=ApiKeyType.from_model(key), errors=[])

    return await run_mutation(ctx, work, lambda e: ApiKeyPayload(api_key=None, errors=e))


async def create_webhook(ctx: Context, input: CreateWebhookInput) -> CreateWebhookPayload:
    async def work() -> CreateWebhookPayload:
        admin = ctx.require_role(*WEBHOOKS.editor_roles)
        pk = decode_id(str(input.api_key_id), "ApiKey", field="input.apiKeyId")
        key: ApiKey = await editable_target(ctx, API_KEYS, pk, "ApiKey", "input.apiKeyId")
        if key.revoked_at is not None:
            raise not_found("ApiKey", "input.apiKeyId")
        unknown = sorted(set(input.entity_types) - ENTITY_TYPES)
        if unknown:
            raise validation(f"Unknown change types: {', '.join(unknown)}.", "input.entityTypes")
        secret = secrets.token_urlsafe(32)
        hook = Webhook(api_key_id=key.id, url=webhook_url(input.url), signing_secret=secret,
                       entity_types=sorted(set(input.entity_types)), last_position=await _head_position(ctx))
        ctx.session.add(hook)
        await ctx.session.flush()
        await record_change(ctx.session, "Webhook", hook.id, ChangeOp.CREATED, actor_id=admin.id)
        record_audit(ctx.session, actor_id=admin.id, action="create", entity_type="Webhook", entity_id=hook.id,
                     after={"url": hook.url, "entity_types": hook.entity_types})
        await ctx.commit()
        return CreateWebhookPayload(webhook=WebhookType.from_model(hook), signing_secret=secret, errors=[])

    return await run_mutation(ctx, work, lambda e: CreateWebhookPayload(webhook=None, signing_secret=None, errors=e))


async def _head_position(ctx: Context) -> int:
    """A new webhook starts from now: it is not sent the office's whole history."""
    return await head_position(ctx.session)


async def set_webhook_active(ctx: Context, input: SetWebhookActiveInput) -> WebhookPayload:
    async def work() -> WebhookPayload:
        admin = ctx.require_role(*WEBHOOKS.editor_roles)
        pk = decode_id(str(input.id), "Webhook", field="input.id")
        hook: Webhook = await editable_target(ctx, WEBHOOKS, pk, "Webhook", "input.id", for_update=True)
        hook.active = input.active
        await record_change(ctx.session, "Webhook", hook.id, ChangeOp.UPDATED, actor_id=admin.id)
        await ctx.commit()
        return WebhookPayload(webhook=WebhookType.from_model(hook), errors=[])

    return await run_mutation(ctx, work, lambda e: WebhookPayload(webhook=None, errors=e))


async def retry_webhook_delivery(ctx: Context, input: RetryWebhookDeliveryInput) -> WebhookDeliveryPayload:
    async def work() -> WebhookDeliveryPayload:
        admin = ctx.require_role(*WEBHOOK_DELIVERIES.editor_roles)
        pk = decode_id(str(input.id), "WebhookDelivery", field="input.id")
        delivery: WebhookDelivery = await editable_target(ctx, WEBHOOK_DELIVERIES, pk, "WebhookDelivery", "input.id",
                                                          for_update=True)
        if delivery.status is DeliveryStatus.DELIVERED:
            raise validation("This delivery was already delivered.", "input.id")
        delivery.status, delivery.attempts = DeliveryStatus.PENDING, 0
        delivery.next_attempt_at = datetime.now(UTC)
        record_audit(ctx.session, actor_id=admin.id, action="retry", entity_type="WebhookDelivery", entity_id=pk)
        await ctx.commit()
        return WebhookDeliveryPayload(delivery=WebhookDeliveryType.from_model(delivery), errors=[])

    return await run_mutation(ctx, work, lambda e: WebhookDeliveryPayload(delivery=None, errors=e))


async def _admin_list(ctx: Context, model: type[Any], to_node: Any, *, first: int | None, after: str | None,
                      where: Any = None) -> Any:
    ctx.require_role(*ADMIN_ROLES)  # an error rather than an empty list for anyone else
    stmt = policy_for(model).select(ctx.viewer)
    if where is not None:
        stmt = stmt.where(where)
    return await paginate(ctx.session, stmt.order_by(model.id.desc()), first=first, after=after, to_node=to_node)


async def api_keys(ctx: Context, *, first: int | None, after: str | None) -> Connection[ApiKeyType]:
    result: Connection[ApiKeyType] = await _admin_list(ctx, ApiKey, ApiKeyType.from_model, first=first, after=after)
    return result


async def webhooks(ctx: Context, *, first: int | None, after: str | None) -> Connection[WebhookType]:
    result: Connection[WebhookType] = await _admin_list(ctx, Webhook, WebhookType.from_model, first=first, after=after)
    return result


async def webhook_deliveries(ctx: Context, *, status: DeliveryStatus | None, first: int | None,
                             after: str | None) -> Connection[WebhookDeliveryType]:
    where = WebhookDelivery.status == DeliveryStatus(status) if status is not None else None
    result: Connection[WebhookDeliveryType] = await _admin_list(
        ctx, WebhookDelivery, WebhookDeliveryType.from_model, first=first, after=after, where=where)
    return result
