"""Records that belong to one person: notifications, calendar preferences, share links.

* a notification and a calendar preference: only the user it belongs to;
* a share link: its owner, and ADMIN (who must be able to list and revoke a leaked
  feed URL). The feed behind a link is governed by ``db/policies/feed.py``.
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from db.models import CalendarPreference, Notification, ShareLink
from db.policies.audience import Audience, listed
from db.policies.base import EntityPolicy
from db.policies.viewer import Viewer


class NotificationPolicy(EntityPolicy[Notification]):
    model = Notification
    entity_type = "Notification"

    def readable(self, viewer: Viewer) -> ColumnElement[bool]:
        return Notification.user_id == viewer.user_id if viewer.user_id is not None else false()

    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        rows = await session.execute(select(Notification.id, Notification.user_id).where(Notification.id.in_(list(ids))))
        return {pk: listed([user_id]) for pk, user_id in rows}


class CalendarPreferencePolicy(EntityPolicy[CalendarPreference]):
    model = CalendarPreference
    entity_type = "CalendarPreference"

    def readable(self, viewer: Viewer) -> ColumnElement[bool]:
        return CalendarPreference.user_id == viewer.user_id if viewer.user_id is not None else false()

    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        return {user_id: listed([user_id]) for user_id in ids}  # keyed by user id


class ShareLinkPolicy(EntityPolicy[ShareLink]):
    model = ShareLink
    entity_type = "ShareLink"

    def readable(self, viewer: Viewer) -> ColumnElement[bool]:
        if viewer.user_id is None:
            return false()
        return true() if viewer.is_admin else or_(ShareLink.owner_id == viewer.user_id)

    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        rows = await session.execute(select(ShareLink.id, ShareLink.owner_id).where(ShareLink.id.in_(list(ids))))
        return {pk: listed([owner_id], {Role.ADMIN}) for pk, owner_id in rows}
