"""Every ORM model, imported so that ``Base.metadata`` knows the whole schema."""
from db.models.attachment import Attachment
from db.models.calendar_import import CalendarImport
from db.models.community import Assessment, Community, Need, Policy
from db.models.dashboard import DashboardSnapshot
from db.models.event import Event, EventOverride, EventParticipant
from db.models.log import AuditLog, ChangeLog
from db.models.meeting import MeetingDecision, MeetingMinutes, QuarterlyReport
from db.models.notification import CalendarPreference, Notification
from db.models.partner import ApiKey, Webhook, WebhookDelivery
from db.models.ppa import Ppa, PpaMilestone, PpaNeed, PpaPolicy, PpaStageSchedule, PpaTransition
from db.models.resource import Booking, Resource
from db.models.service import Service, ServicePpa, ServiceRequest
from db.models.share_link import ShareLink
from db.models.sharing import CalendarGrant
from db.models.task import Task, TaskAssignee, TaskTeam, TaskTemplate, TaskTemplateItem
from db.models.user import Team, TeamMembership, User

__all__ = [
    "ApiKey",
    "Assessment",
    "Attachment",
    "AuditLog",
    "Booking",
    "CalendarGrant",
    "CalendarImport",
    "CalendarPreference",
    "ChangeLog",
    "Community",
    "DashboardSnapshot",
    "Event",
    "EventOverride",
    "EventParticipant",
    "MeetingDecision",
    "MeetingMinutes",
    "Need",
    "Notification",
    "Policy",
    "Ppa",
    "PpaMilestone",
    "PpaNeed",
    "PpaPolicy",
    "PpaStageSchedule",
    "PpaTransition",
    "QuarterlyReport",
    "Resource",
    "Service",
    "ServicePpa",
    "ServiceRequest",
    "ShareLink",
    "Task",
    "TaskAssignee",
    "TaskTeam",
    "TaskTemplate",
    "TaskTemplateItem",
    "Team",
    "TeamMembership",
    "User",
    "Webhook",
    "WebhookDelivery",
]
