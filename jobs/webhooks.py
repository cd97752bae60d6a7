"""Webhooks: turn published changes into signed deliveries and send them, at least once.

``deliver_webhooks`` runs every minute (arq cron, or the in-process timer):

1. fan-out: for each active webhook of a live key, the changes after its cursor that its
   key may see (the change's audience includes the key's stand-in viewer, so nothing
   PRIVATE or personal; for a key scoped to teams, the object is also one its viewer reads
   now through the entity's policy, ``in_teams`` included) and whose entity type it chose
   become delivery rows; the rows and the advanced cursor commit together. A change that
   takes an object away from a key that read it before (deleted, or turned private) is
   delivered with op ``DELETED``, ids only, as subscribers get a removal; a key scoped to
   teams gets no such removals (whether the gone object was its teams' is not known now,
   and it fails closed);
2. sending: due deliveries are claimed (attempt counted, leased for ``LEASE``) in one short
   transaction, POSTed with ``Almanac-Signature`` and ``Almanac-Delivery`` (the idempotency
   key), and recorded in another. A crash between the POST and the record leaves the
   delivery PENDING: it is sent again after the lease with the same idempotency key.
   Failures back off exponentially; after ``MAX_ATTEMPTS`` a delivery is DEAD (listed by
   ``webhookDeliveries(status: DEAD)``, retried with ``retryWebhookDelivery``).

Bodies carry ids, not content: a partner reads the object through the API with its key.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ChangeOp, Role
from db.models import ApiKey, Webhook, WebhookDelivery
from db.models.partner import ApiModule, DeliveryStatus
from db.policies.viewer import Viewer
from db.queries.change_log import changes_after
from db.queries.readable_ids import readable_ids
from db.rules.api_modules import module_of
from db.rules.webhook_signing import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, sign
from jobs.context import JobCtx, now, sessionmaker_of
from server.changes import Change

log = structlog.get_logger(__name__)

FANOUT_PAGE = 500
SEND_BATCH = 100
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 10
FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=6)
TIMEOUT_SECONDS = 10.0

Sender = Callable[[str, bytes, dict[str, str]], Awaitable[int]]


def backoff(attempts: int) -> timedelta:
    delay: timedelta = FIRST_BACKOFF * (2 ** max(0, attempts - 1))
    return min(delay, MAX_BACKOFF)


def partner_viewer(api_key_id: int, team_ids: Sequence[int] | None = None) -> Viewer:
    """The stand-in viewer of a key (``server.api_keys.acting_user``): nobody in particular,
    limited to the key's teams when it has some."""
    return Viewer(user_id=-api_key_id, role=Role.VIEWER,
                  team_ids=frozenset(team_ids) if team_ids is not None else None)


def wanted(row: dict[str, Any], hook: Webhook, modules: frozenset[ApiModule]) -> bool:
    entity_type = row["entity_type"]
    if hook.entity_types and entity_type not in hook.entity_types:
        return False
    if module_of(entity_type) not in modules:
        return False
    return Change.from_row(row).reaches(partner_viewer(hook.api_key_id))


def body_of(hook: Webhook, row: dict[str, Any]) -> str:
    """A change that takes the object away from the key (deleted, or turned private) is sent as
    ``DELETED``, as a subscriber gets a removal (``Change.removes_for``)."""
    entity_id = base64.b64encode(f"{row['entity_type']}:{row['entity_id']}".encode()).decode()
    removed = Change.from_row(row).removes_for(partner_viewer(hook.api_key_id))
    op = ChangeOp.DELETED.value if removed else row["op"].value
    return json.dumps({
        "id": f"{hook.id}:{row['position']}", "type": f"{row['entity_type']}.{op}",
        "entityType": row["entity_type"], "entityId": entity_id, "op": op,
        "position": row["position"], "occurredAt": row["created_at"].isoformat(),
    }, separators=(",", ":"))


async def in_key_teams(session: AsyncSession, rows: list[dict[str, Any]], viewer: Viewer) -> list[dict[str, Any]]:
    """For a key scoped to teams: the rows whose object its viewer reads now (one statement per type)."""
    if viewer.team_ids is None or not rows:
        return rows
    readable = await readable_ids(session, viewer, [(r["entity_type"], r["entity_id"]) for r in rows])
    return [r for r in rows if (r["entity_type"], r["entity_id"]) in readable]


async def fan_out(session: AsyncSession, at: datetime) -> int:
    hooks = (await session.execute(
        select(Webhook, ApiKey.modules, ApiKey.team_ids).join(ApiKey, ApiKey.id == Webhook.api_key_id)
        .where(Webhook.active.is_(True), ApiKey.revoked_at.is_(None))
        .with_for_update(of=Webhook, skip_locked=True)
    )).all()
    created = 0
    for hook, modules, team_ids in hooks:
        allowed = frozenset(ApiModule(m) for m in modules)
        rows = await changes_after(session, hook.last_position, limit=FANOUT_PAGE)
        chosen = await in_key_teams(session, [r for r in rows if wanted(r, hook, allowed)],
                                    partner_viewer(hook.api_key_id, team_ids))
        values = [{"webhook_id": hook.id, "position": r["position"], "body": body_of(hook, r),
                   "next_attempt_at": at} for r in chosen]
        if values:
            await session.execute(insert(WebhookDelivery).values(values).on_conflict_do_nothing(
                constraint="uq_webhook_deliveries_webhook_position"))
            created += len(values)
        if rows:
            hook.last_position = rows[-1]["position"]
    return created


async def claim_due(session: AsyncSession, at: datetime) -> list[tuple[int, str, str, str]]:
    """(delivery id, url, signing secret, body) of due deliveries, each attempt counted and leased."""
    due = (await session.execute(
        select(WebhookDelivery.id, Webhook.url, Webhook.signing_secret, WebhookDelivery.body)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.next_attempt_at <= at,
               Webhook.active.is_(True))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(SEND_BATCH)
        .with_for_update(of=WebhookDelivery, skip_locked=True)
    )).all()
    if due:
        await session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id.in_([d[0] for d in due]))
            .values(attempts=WebhookDelivery.attempts + 1, next_attempt_at=at + LEASE)
        )
    return [tuple(d) for d in due]  # type: ignore[misc]


async def http_sender(url: str, body: bytes, headers: dict[str, str]) -> int:
    async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
        response = await client.post(url, content=body, headers=headers)
        return response.status_code


async def record_outcome(session: AsyncSession, delivery_id: int, at: datetime, error: str | None) -> None:
    delivery = await session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if delivery is None or delivery.status is not DeliveryStatus.PENDING:
        return
    if error is None:
        delivery.status, delivery.delivered_at, delivery.last_error = DeliveryStatus.DELIVERED, at, ""
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.last_error = DeliveryStatus.DEAD, error[:500]
    else:
        delivery.next_attempt_at, delivery.last_error = at + backoff(delivery.attempts), error[:500]


async def deliver_webhooks(ctx: JobCtx) -> int:
    """Fan out new changes, then send what is due; returns how many deliveries succeeded."""
    sessionmaker = sessionmaker_of(ctx)
    sender: Sender = ctx.get("webhook_sender") or http_sender
    async with sessionmaker() as session, session.begin():
        await fan_out(session, now(ctx))
    async with sessionmaker() as session, session.begin():
        claimed = await claim_due(session, now(ctx))
    delivered = 0
    for delivery_id, url, secret, body in claimed:
        raw = body.encode()
        idempotency_key = json.loads(body)["id"]
        headers = {"Content-Type": "application/json", IDEMPOTENCY_HEADER: idempotency_key,
                   SIGNATURE_HEADER: sign(secret, int(now(ctx).timestamp()), raw)}
        error: str | None = None
        try:
            status = await sender(url, raw, headers)
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except httpx.HTTPError as failure:
            error = f"{type(failure).__name__}: {failure}"
        async with sessionmaker() as session, session.begin():
            await record_outcome(session, delivery_id, now(ctx), error)
        delivered += error is None
    return delivered
