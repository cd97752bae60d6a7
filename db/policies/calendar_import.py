"""A calendar import job: only the user who started it follows its progress."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CalendarImport
from db.policies.audience import Audience, listed
from db.policies.base import EntityPolicy
from db.policies.viewer import Viewer


class CalendarImportPolicy(EntityPolicy[CalendarImport]):
    model = CalendarImport
    entity_type = "CalendarImport"

    def readable(self, viewer: Viewer) -> ColumnElement[bool]:
        return CalendarImport.owner_id == viewer.user_id if viewer.user_id is not None else false()

    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        rows = await session.execute(select(CalendarImport.id, CalendarImport.owner_id).where(CalendarImport.id.in_(list(ids))))
        return {pk: listed([owner_id]) for pk, owner_id in rows}
