"""Enumerations shared by the database models and the GraphQL schema.

They are stored as text with a CHECK constraint (``native_enum=False``), so a
new value is a one-line migration instead of an ``ALTER TYPE``.
"""
from __future__ import annotations

import enum


class Role(enum.StrEnum):
    ADMIN = "ADMIN"
    MANAGER = "MANAGER"
    STAFF = "STAFF"
    VIEWER = "VIEWER"


class TeamRole(enum.StrEnum):
    LEAD = "LEAD"
    MEMBER = "MEMBER"


class CalendarModule(enum.StrEnum):
    COORDINATION = "COORDINATION"
    MANA = "MANA"  # monitoring, assessment and needs analysis
    PROJECTS = "PROJECTS"
    TASKS = "TASKS"
    RESOURCES = "RESOURCES"
    POLICY = "POLICY"
    COMMUNITY = "COMMUNITY"
    SERVICES = "SERVICES"  # service schedules: when and where the public is served


class Visibility(enum.StrEnum):
    PUBLIC = "PUBLIC"
    INTERNAL = "INTERNAL"
    PRIVATE = "PRIVATE"


class FeedPrivacy(enum.StrEnum):
    """How a share-link feed shows PRIVATE events (see ``db/policies/feed.py``)."""

    BUSY = "BUSY"  # every PRIVATE event as busy time only
    HIDDEN = "HIDDEN"  # PRIVATE events left out
    OWN_DETAILS = "OWN_DETAILS"  # the owner's own PRIVATE events in full, others' as busy


class Rsvp(enum.StrEnum):
    NEEDS_ACTION = "NEEDS_ACTION"
    ACCEPTED = "ACCEPTED"
    TENTATIVE = "TENTATIVE"
    DECLINED = "DECLINED"


class ResourceKind(enum.StrEnum):
    VEHICLE = "VEHICLE"
    ROOM = "ROOM"
    EQUIPMENT = "EQUIPMENT"


class BookingStatus(enum.StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


class TaskStatus(enum.StrEnum):
    TODO = "TODO"
    IN_PROGRESS = "IN_PROGRESS"
    BLOCKED = "BLOCKED"
    REVIEW = "REVIEW"
    DONE = "DONE"
    CANCELLED = "CANCELLED"


class TaskPriority(enum.StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    URGENT = "URGENT"


class TaskDomain(enum.StrEnum):
    GENERAL = "GENERAL"
    COORDINATION = "COORDINATION"
    MANA = "MANA"
    PROJECTS = "PROJECTS"
    POLICY = "POLICY"
    COMMUNITY = "COMMUNITY"


class TemplateKind(enum.StrEnum):
    GENERIC = "GENERIC"
    PPA = "PPA"
    ASSESSMENT = "ASSESSMENT"
    COORDINATION_EVENT = "COORDINATION_EVENT"
    POLICY = "POLICY"


class PpaCategory(enum.StrEnum):
    PROGRAM = "PROGRAM"
    PROJECT = "PROJECT"
    ACTIVITY = "ACTIVITY"


class PpaStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    ON_HOLD = "ON_HOLD"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class PpaStage(enum.StrEnum):
    """The nine workflow stages, in order, from need to completion."""

    NEED_IDENTIFICATION = "NEED_IDENTIFICATION"
    PLANNING = "PLANNING"
    PROPOSAL = "PROPOSAL"
    BUDGET_APPROVAL = "BUDGET_APPROVAL"
    PROCUREMENT = "PROCUREMENT"
    IMPLEMENTATION = "IMPLEMENTATION"
    MONITORING = "MONITORING"
    EVALUATION = "EVALUATION"
    COMPLETED = "COMPLETED"


class BudgetStage(enum.StrEnum):
    """The five budget-approval stages, in order."""

    PREPARATION = "PREPARATION"
    TECHNICAL_REVIEW = "TECHNICAL_REVIEW"
    BUDGET_HEARING = "BUDGET_HEARING"
    EXECUTIVE_REVIEW = "EXECUTIVE_REVIEW"
    LEGISLATIVE_APPROVAL = "LEGISLATIVE_APPROVAL"


class BudgetStatus(enum.StrEnum):
    NOT_SUBMITTED = "NOT_SUBMITTED"
    IN_REVIEW = "IN_REVIEW"
    RETURNED = "RETURNED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class BudgetDecision(enum.StrEnum):
    APPROVE = "APPROVE"
    RETURN_FOR_REVISION = "RETURN_FOR_REVISION"
    REJECT = "REJECT"


class TransitionKind(enum.StrEnum):
    STAGE = "STAGE"
    BUDGET = "BUDGET"


class NeedStatus(enum.StrEnum):
    IDENTIFIED = "IDENTIFIED"
    VALIDATED = "VALIDATED"
    PRIORITIZED = "PRIORITIZED"
    ADDRESSED = "ADDRESSED"
    CLOSED = "CLOSED"


class AssessmentStatus(enum.StrEnum):
    PLANNED = "PLANNED"
    DATA_COLLECTION = "DATA_COLLECTION"
    ANALYSIS = "ANALYSIS"
    REPORTING = "REPORTING"
    COMPLETED = "COMPLETED"


class PolicyStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    UNDER_REVIEW = "UNDER_REVIEW"
    ADOPTED = "ADOPTED"
    RETIRED = "RETIRED"


class ChangeOp(enum.StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    DELETED = "DELETED"


class DeliveryStatus(enum.StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"


class ServiceStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"  # in the public catalog
    RETIRED = "RETIRED"


class ServiceRequestStatus(enum.StrEnum):
    SUBMITTED = "SUBMITTED"
    IN_REVIEW = "IN_REVIEW"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    COMPLETED = "COMPLETED"
