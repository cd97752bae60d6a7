"""Access policies: the one place that says who may read (and change) each entity.

``policy_for(Model)`` is how every read path and every change's audience finds its
rule. A model without an entry here cannot be read through loaders, ``node``/``nodes``
or the change log: ``tests/policy/test_registry.py`` fails for a Node type without one.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from db.policies.assessment import AssessmentPolicy
from db.policies.attachment import AttachmentPolicy
from db.policies.audience import Audience
from db.policies.base import EntityPolicy
from db.policies.booking import BookingPolicy
from db.policies.calendar_import import CalendarImportPolicy
from db.policies.community import CommunityPolicy
from db.policies.dashboard import DashboardSnapshotPolicy
from db.policies.event import EventOverridePolicy, EventParticipantPolicy, EventPolicy
from db.policies.meeting import MeetingDecisionPolicy, MeetingMinutesPolicy, QuarterlyReportPolicy
from db.policies.need import NeedPolicy
from db.policies.partner import ApiKeyPolicy, WebhookDeliveryPolicy, WebhookPolicy
from db.policies.personal import CalendarPreferencePolicy, NotificationPolicy, ShareLinkPolicy
from db.policies.policy import PolicyDocumentPolicy
from db.policies.ppa import PpaMilestonePolicy, PpaPolicy, PpaStagePolicy, PpaTransitionPolicy
from db.policies.resource import ResourcePolicy
from db.policies.service import ServicePolicy, ServiceRequestPolicy
from db.policies.sharing import CalendarGrantPolicy
from db.policies.task import TaskPolicy
from db.policies.task_template import TaskTemplateItemPolicy, TaskTemplatePolicy
from db.policies.team import TeamMembershipPolicy, TeamPolicy
from db.policies.user import UserPolicy
from db.policies.viewer import ANONYMOUS, Viewer

_ALL: tuple[EntityPolicy[Any], ...] = (
    AssessmentPolicy(), AttachmentPolicy(), BookingPolicy(), CalendarImportPolicy(), CalendarPreferencePolicy(), CommunityPolicy(),
    DashboardSnapshotPolicy(), EventPolicy(),
    EventOverridePolicy(), EventParticipantPolicy(), MeetingDecisionPolicy(), MeetingMinutesPolicy(),
    QuarterlyReportPolicy(), NeedPolicy(), NotificationPolicy(), PolicyDocumentPolicy(),
    PpaPolicy(), PpaMilestonePolicy(), PpaStagePolicy(), PpaTransitionPolicy(), ResourcePolicy(),
    ShareLinkPolicy(), TaskPolicy(), TaskTemplatePolicy(), TaskTemplateItemPolicy(), TeamPolicy(),
    TeamMembershipPolicy(), UserPolicy(), ApiKeyPolicy(), WebhookPolicy(), WebhookDeliveryPolicy(),
    CalendarGrantPolicy(), ServicePolicy(), ServiceRequestPolicy(),
)
POLICIES: dict[type[Any], EntityPolicy[Any]] = {p.model: p for p in _ALL}
BY_ENTITY_TYPE: dict[str, EntityPolicy[Any]] = {p.entity_type: p for p in _ALL}


class MissingPolicy(LookupError):
    """Raised for a model nobody has written an access policy for: it is not readable."""


def policy_for(model: type[Any]) -> EntityPolicy[Any]:
    try:
        return POLICIES[model]
    except KeyError:
        raise MissingPolicy(f"{model.__name__} has no access policy in db/policies") from None


_READABLE: dict[tuple[type[Any], Viewer], ColumnElement[bool]] = {}
_READABLE_MAX = 4096  # (model, viewer) pairs; cleared when full


def readable_by(model: type[Any], viewer: Viewer) -> ColumnElement[bool]:
    """``policy_for(model).readable(viewer)``, built once per model and viewer.

    A policy's condition is a function of the viewer alone (user id, role, team limit: memberships,
    participants and grants are read by the SQL itself when it runs), and SQL expressions are
    immutable, so one serves every statement for that viewer; building TaskPolicy's costs
    ~0.5 ms of CPU, paid by every task list request before. (``tests/policy`` checks the
    cached conditions compile to the same SQL as fresh ones.)
    """
    key = (model, viewer)
    condition = _READABLE.get(key)
    if condition is None:
        if len(_READABLE) >= _READABLE_MAX:
            _READABLE.clear()
        condition = _READABLE[key] = policy_for(model).readable(viewer)
    return condition


__all__ = ["ANONYMOUS", "POLICIES", "Audience", "EntityPolicy", "MissingPolicy", "Viewer", "policy_for", "readable_by"]
