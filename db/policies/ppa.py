"""PPAs (programs, projects, activities) and their parts.

Read: office-wide, every signed-in user reads them (milestones, stage schedules,
transitions, linked needs and policies); anonymous callers read none of the rows.

Public face (``publicServices``, anonymous callers included): a PPA that is ACTIVE, not
archived and being delivered (implementation, monitoring or evaluation) shows its title,
description, category, dates and its community's name, and nothing else (no budget,
owner, team, tasks or id): ``publicly_listed`` and ``PUBLIC_FACE``.

Change (updatePpa, advancePpaStage, milestones, stage dates, links): the PPA's owner,
members of its lead team, MANAGER and ADMIN. Changing the budget figure, the owner or
the lead team once the PPA exists is for MANAGER and ADMIN only (``may_reassign``,
``may_change_budget``); deciding the budget already is (decideBudget).
"""
from __future__ import annotations

from typing import ClassVar

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from db.enums import PpaStage, PpaStatus, Role
from db.models import Ppa, PpaMilestone, PpaStageSchedule, PpaTransition, TeamMembership
from db.policies.base import M, OfficeWidePolicy
from db.policies.teams import of_teams, ppa_in_teams
from db.policies.viewer import Viewer

PPA_EDITORS = "the PPA's owner, members of its lead team, MANAGER and ADMIN"


def ppa_editable(viewer: Viewer) -> ColumnElement[bool]:
    """SQL: ``viewer`` may change the PPA row in scope (VIEWER and anonymous never may)."""
    if viewer.user_id is None or viewer.role is Role.VIEWER:
        return false()
    if viewer.is_manager:
        return true()
    on_lead_team = (
        select(TeamMembership.team_id)
        .where(TeamMembership.team_id == Ppa.lead_team_id, TeamMembership.user_id == viewer.user_id)
        .correlate(Ppa)
        .exists()
    )
    return or_(Ppa.owner_id == viewer.user_id, on_lead_team)


# -- the public face (publicServices) -----------------------------------------------------------
PUBLIC_STAGES = (PpaStage.IMPLEMENTATION, PpaStage.MONITORING, PpaStage.EVALUATION)
# What of a publicly listed PPA anyone may see (its community's name joins them).
PUBLIC_FACE = (Ppa.title, Ppa.description, Ppa.category, Ppa.starts_on, Ppa.ends_on)


def publicly_listed() -> ColumnElement[bool]:
    """SQL: the PPA's public face (``PUBLIC_FACE``) may be shown to anyone, signed in or not.

    The same for every caller: it is the office telling the public what it delivers, not a
    read of the PPA (``readable`` still refuses the row itself to anonymous callers)."""
    return and_(Ppa.status == PpaStatus.ACTIVE, Ppa.stage.in_(PUBLIC_STAGES), Ppa.archived_at.is_(None))


BUDGET_DECIDERS = (Role.MANAGER, Role.ADMIN)


def may_change_budget(viewer: Viewer) -> bool:
    """The allocated budget of an existing PPA, and its decisions (``decideBudget``): management's."""
    return viewer.role in BUDGET_DECIDERS


def may_reassign(viewer: Viewer) -> bool:
    """Owner and lead team decide who may change the PPA: MANAGER and ADMIN set them."""
    return viewer.is_manager


class PpaPolicy(OfficeWidePolicy[Ppa]):
    model = Ppa
    entity_type = "Ppa"
    editors: ClassVar[str] = PPA_EDITORS

    def editable(self, viewer: Viewer) -> ColumnElement[bool]:
        return ppa_editable(viewer)

    def in_teams(self, team_ids: frozenset[int]) -> ColumnElement[bool]:
        return of_teams(Ppa.lead_team_id, team_ids)


class _OfPpa(OfficeWidePolicy[M]):
    def in_teams(self, team_ids: frozenset[int]) -> ColumnElement[bool]:
        return ppa_in_teams(self.model.ppa_id, team_ids)


class PpaMilestonePolicy(_OfPpa[PpaMilestone]):
    model = PpaMilestone
    entity_type = "PpaMilestone"


class PpaStagePolicy(_OfPpa[PpaStageSchedule]):
    model = PpaStageSchedule
    entity_type = "PpaStage"


class PpaTransitionPolicy(_OfPpa[PpaTransition]):
    model = PpaTransition
    entity_type = "PpaTransition"
