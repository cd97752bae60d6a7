"""Meeting records and quarterly reports.

Minutes and decisions are read by the signed-in readers of their meeting (an event's
PUBLIC visibility does not publish its minutes). Quarterly reports are office-wide.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import MeetingDecision, MeetingMinutes, QuarterlyReport
from db.policies.audience import Audience, at_most_signed_in
from db.policies.base import EntityPolicy, OfficeWidePolicy
from db.policies.event import event_audiences, event_id_readable
from db.policies.teams import of_teams
from db.policies.viewer import Viewer


class _OfMeeting(EntityPolicy[Any]):
    def readable(self, viewer: Viewer) -> ColumnElement[bool]:
        if not viewer.signed_in:
            return false()
        return event_id_readable(viewer, self.model.event_id)

    def in_teams(self, team_ids: frozenset[int]) -> ColumnElement[bool]:
        return true()  # ``readable`` goes through the meeting's policy, team limits included

    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        pairs = (await session.execute(
            select(self.model.id, self.model.event_id).where(self.model.id.in_(list(ids))))).all()
        of_event = await event_audiences(session, [event_id for _, event_id in pairs])
        return {pk: at_most_signed_in(of_event[event_id]) for pk, event_id in pairs}


class MeetingMinutesPolicy(_OfMeeting):
    model = MeetingMinutes
    entity_type = "MeetingMinutes"


class MeetingDecisionPolicy(_OfMeeting):
    model = MeetingDecision
    entity_type = "MeetingDecision"


class QuarterlyReportPolicy(OfficeWidePolicy[QuarterlyReport]):
    model = QuarterlyReport
    entity_type = "QuarterlyReport"

    def in_teams(self, team_ids: frozenset[int]) -> ColumnElement[bool]:
        return of_teams(QuarterlyReport.team_id, team_ids)
