"""API keys, webhooks and their deliveries: ADMIN only (they hold or reveal integration secrets).

A request made WITH an API key reads as a VIEWER that is nobody in particular: it sees
office-wide records of the modules its key allows (``server/api_key_scope.py``) and never a
PRIVATE event, a task or booking derived from one, or anyone's personal records. A key scoped
to teams reads only what belongs to them (``Viewer.team_ids``, each policy's ``in_teams``).
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from db.models import ApiKey, Webhook, WebhookDelivery
from db.policies.audience import Audience, listed
from db.policies.base import EntityPolicy
from db.policies.viewer import Viewer
from db.policies.write import RoleEditable

ADMIN_ROLES = (Role.ADMIN,)
ADMINS = listed([], ADMIN_ROLES)


class _AdminOnly(RoleEditable, EntityPolicy[object]):
    """Read and changed (created, revoked, switched, retried) by the same roles."""

    editor_roles = ADMIN_ROLES

    def readable(self, viewer: Viewer) -> ColumnElement[bool]:
        return true() if viewer.role in ADMIN_ROLES else false()

    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        found = await session.scalars(select(self.model.id).where(self.model.id.in_(list(ids))))
        return {pk: ADMINS for pk in found}


class ApiKeyPolicy(_AdminOnly):
    model = ApiKey
    entity_type = "ApiKey"


class WebhookPolicy(_AdminOnly):
    model = Webhook
    entity_type = "Webhook"


class WebhookDeliveryPolicy(_AdminOnly):
    model = WebhookDelivery
    entity_type = "WebhookDelivery"


API_KEYS, WEBHOOKS, WEBHOOK_DELIVERIES = ApiKeyPolicy(), WebhookPolicy(), WebhookDeliveryPolicy()
