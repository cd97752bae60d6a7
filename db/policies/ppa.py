"""PPAs (programs, projects, activities) and their parts: office-wide, every signed-in
user reads them (milestones, stage schedules, transitions, linked needs and policies).
"""
from __future__ import annotations

from db.models import Ppa, PpaMilestone, PpaStageSchedule, PpaTransition
from db.policies.base import OfficeWidePolicy


class PpaPolicy(OfficeWidePolicy[Ppa]):
    model = Ppa
    entity_type = "Ppa"


class PpaMilestonePolicy(OfficeWidePolicy[PpaMilestone]):
    model = PpaMilestone
    entity_type = "PpaMilestone"


class PpaStagePolicy(OfficeWidePolicy[PpaStageSchedule]):
    model = PpaStageSchedule
    entity_type = "PpaStage"


class PpaTransitionPolicy(OfficeWidePolicy[PpaTransition]):
    model = PpaTransition
    entity_type = "PpaTransition"
