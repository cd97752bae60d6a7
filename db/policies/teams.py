"""What belongs to a team, for readers limited to teams (``Viewer.team_ids``, ``in_teams``).

* a PPA: its lead team; its milestones, stage dates and transitions: their PPA's;
* an event: its team (``events.team_id``, the team's calendar);
* a task: its teams (``task_teams``), its PPA's lead team, or its event's team;
* a booking: its event's or task's, or (neither linked) its requester's teams;
* an assessment: its lead team; a need: its assessment's, or a PPA's it is linked to;
* a team, its memberships, its members (users); a service: its owner team (requests: their
  service's); a dashboard snapshot or quarterly report: its team.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, any_, bindparam, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute

from db.models import Assessment, Event, Ppa, PpaNeed, Task, TaskTeam

Column = ColumnElement[Any] | InstrumentedAttribute[Any]


def of_teams(team_id: Column, team_ids: frozenset[int]) -> ColumnElement[bool]:
    """SQL: ``team_id`` is one of ``team_ids`` (one array parameter, whatever their number)."""
    return team_id == any_(bindparam(None, sorted(team_ids), type_=ARRAY(BigInteger), unique=True))


def ppa_in_teams(ppa_id: Column, team_ids: frozenset[int]) -> ColumnElement[bool]:
    return ppa_id.in_(select(Ppa.id).where(of_teams(Ppa.lead_team_id, team_ids)))


def event_in_teams(event_id: Column, team_ids: frozenset[int]) -> ColumnElement[bool]:
    return event_id.in_(select(Event.id).where(of_teams(Event.team_id, team_ids)))


def task_in_teams(team_ids: frozenset[int]) -> ColumnElement[bool]:
    """SQL on ``tasks``: the task belongs to one of ``team_ids``."""
    on_team = (
        select(TaskTeam.task_id)
        .where(TaskTeam.task_id == Task.id, of_teams(TaskTeam.team_id, team_ids))
        .correlate(Task)
        .exists()
    )
    return or_(on_team, ppa_in_teams(Task.ppa_id, team_ids), event_in_teams(Task.event_id, team_ids))


def task_id_in_teams(task_id: Column, team_ids: frozenset[int]) -> ColumnElement[bool]:
    return task_id.in_(select(Task.id).where(task_in_teams(team_ids)))


def assessment_in_teams(assessment_id: Column, team_ids: frozenset[int]) -> ColumnElement[bool]:
    return assessment_id.in_(select(Assessment.id).where(of_teams(Assessment.lead_team_id, team_ids)))


def need_in_teams(need_id: Column, assessment_id: Column, team_ids: frozenset[int]) -> ColumnElement[bool]:
    linked = select(PpaNeed.need_id).where(ppa_in_teams(PpaNeed.ppa_id, team_ids))
    return or_(assessment_in_teams(assessment_id, team_ids), need_id.in_(linked))
