"""The quarterly MAO report's data: the team's PPAs (progress, budget), its meetings of the
quarter (attendance, decisions, action items) and the needs its PPAs addressed.

Four statements whatever the size. ``viewer=None`` is the report job (the office's
own report); through the API every part reads through its entity's policy.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import NeedStatus
from db.models import (
    Community,
    Event,
    EventParticipant,
    MeetingDecision,
    Need,
    Ppa,
    PpaNeed,
    Team,
)
from db.models.meeting import DecisionKind
from db.policies import Viewer, policy_for
from db.rules.quarters import Quarter


@dataclass(frozen=True, slots=True)
class PpaLine:
    title: str
    code: str | None
    stage: str
    status: str
    progress: int
    budget_status: str
    budget_allocated: Decimal
    budget_approved: Decimal | None


@dataclass(frozen=True, slots=True)
class MeetingLine:
    title: str
    starts_at: datetime
    invited: int
    attended: int
    decisions: int
    action_items: int


@dataclass(frozen=True, slots=True)
class NeedLine:
    title: str
    community: str | None
    ppas: str  # the addressing PPAs' titles, "; "-separated


@dataclass(slots=True)
class ReportData:
    team_name: str
    fiscal_year: int
    quarter: int
    starts_on: date
    ends_on: date  # inclusive
    ppas: list[PpaLine] = field(default_factory=list)
    meetings: list[MeetingLine] = field(default_factory=list)
    needs_addressed: list[NeedLine] = field(default_factory=list)

    @property
    def budget_allocated(self) -> Decimal:
        return sum((p.budget_allocated for p in self.ppas), Decimal(0))

    @property
    def budget_approved(self) -> Decimal:
        return sum((p.budget_approved or Decimal(0) for p in self.ppas), Decimal(0))

    @property
    def average_progress(self) -> float:
        return round(sum(p.progress for p in self.ppas) / len(self.ppas), 1) if self.ppas else 0.0

    @property
    def attendance_rate(self) -> float | None:
        invited = sum(m.invited for m in self.meetings)
        return round(100 * sum(m.attended for m in self.meetings) / invited, 1) if invited else None


def quarter_bounds(quarter: Quarter) -> tuple[date, date]:
    first = quarter.first_day
    following = quarter.next().first_day
    return first, date.fromordinal(following.toordinal() - 1)


def readable(model: type[Any], viewer: Viewer | None) -> ColumnElement[bool]:
    return true() if viewer is None else policy_for(model).readable(viewer)


async def team_name(session: AsyncSession, team_id: int, viewer: Viewer | None) -> str | None:
    found: str | None = await session.scalar(select(Team.name).where(Team.id == team_id, readable(Team, viewer)))
    return found


async def assemble(session: AsyncSession, team_id: int, quarter: Quarter, viewer: Viewer | None) -> ReportData | None:
    """None when the team does not exist (or the viewer may not read it)."""
    name = await team_name(session, team_id, viewer)
    if name is None:
        return None
    first, last = quarter_bounds(quarter)
    data = ReportData(name, quarter.fiscal_year, quarter.quarter, first, last)
    ppas = await session.execute(
        select(Ppa.title, Ppa.code, Ppa.stage, Ppa.status, Ppa.progress, Ppa.budget_status, Ppa.budget_allocated,
               Ppa.budget_approved)
        .where(readable(Ppa, viewer), Ppa.lead_team_id == team_id, Ppa.archived_at.is_(None),
               or_(Ppa.starts_on.is_(None), Ppa.starts_on <= last), or_(Ppa.ends_on.is_(None), Ppa.ends_on >= first))
        .order_by(Ppa.title, Ppa.id))
    data.ppas = [PpaLine(t, c, s.value, st.value, p, b.value, a, ap) for t, c, s, st, p, b, a, ap in ppas.tuples()]

    start = datetime.combine(first, time(), UTC)
    end = datetime.combine(quarter.next().first_day, time(), UTC)
    invited = select(func.count()).where(EventParticipant.event_id == Event.id).scalar_subquery()
    attended = (select(func.count()).where(EventParticipant.event_id == Event.id, EventParticipant.attended.is_(True))
                .scalar_subquery())
    decisions = (select(func.count()).where(MeetingDecision.event_id == Event.id,
                                            MeetingDecision.kind == DecisionKind.DECISION).scalar_subquery())
    actions = (select(func.count()).where(MeetingDecision.event_id == Event.id,
                                          MeetingDecision.kind == DecisionKind.ACTION_ITEM).scalar_subquery())
    meetings = await session.execute(
        select(Event.title, Event.starts_at, invited, attended, decisions, actions)
        .where(readable(Event, viewer), Event.team_id == team_id, Event.parent_event_id.is_(None),
               Event.starts_at >= start, Event.starts_at < end)
        .order_by(Event.starts_at, Event.id))
    data.meetings = [MeetingLine(t, s, int(i), int(a), int(d), int(x)) for t, s, i, a, d, x in meetings.tuples()]

    titles = func.string_agg(func.distinct(Ppa.title), "; ")
    needs = await session.execute(
        select(Need.title, Community.name, titles)
        .join(PpaNeed, PpaNeed.need_id == Need.id).join(Ppa, Ppa.id == PpaNeed.ppa_id)
        .outerjoin(Community, Community.id == Need.community_id)
        .where(readable(Need, viewer), readable(Ppa, viewer), Ppa.lead_team_id == team_id,
               Need.status == NeedStatus.ADDRESSED, Need.status_changed_at >= start, Need.status_changed_at < end)
        .group_by(Need.id, Need.title, Community.name).order_by(Need.title, Need.id))
    data.needs_addressed = [NeedLine(t, c, p or "") for t, c, p in needs.tuples()]
    return data
