"""The Almanac GraphQL schema: every domain's Query, Mutation and Subscription merged.

A domain adds ``schema/<domain>/query.py`` (``XQuery``) and
``schema/<domain>/mutation.py`` (``XMutation``) and lists them below.
"""
from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.tools import merge_types

from schema.assessment.mutation import AssessmentMutation
from schema.assessment.query import AssessmentQuery
from schema.attachment.mutation import AttachmentMutation
from schema.auth.account_mutation import AccountMutation
from schema.auth.mutation import AuthMutation
from schema.booking.mutation import BookingMutation
from schema.booking.query import BookingQuery
from schema.calendar.mutation import CalendarMutation
from schema.calendar.query import CalendarQuery
from schema.community.mutation import CommunityMutation
from schema.community.query import CommunityQuery
from schema.core.extensions import AlmanacSchema
from schema.core.fast_fields import FastFieldsExecutor
from schema.core.node_ids import ConcreteNodeIds
from schema.dashboard.query import DashboardQuery
from schema.event.generate_tasks import EventTasksMutation
from schema.event.mutation import EventMutation
from schema.event.query import EventQuery
from schema.meeting.mutation import MeetingMutation
from schema.meeting.query import MeetingQuery
from schema.need.mutation import NeedMutation
from schema.need.query import NeedQuery
from schema.notification.mutation import NotificationMutation
from schema.notification.query import NotificationQuery
from schema.partner.mutation import PartnerMutation
from schema.partner.query import PartnerQuery
from schema.policy.mutation import PolicyMutation
from schema.policy.query import PolicyQuery
from schema.ppa.mutation import PpaMutation
from schema.ppa.query import PpaQuery
from schema.public.query import PublicQuery
from schema.realtime.subscription import Subscription
from schema.resource.mutation import ResourceMutation
from schema.resource.query import ResourceQuery
from schema.service.mutation import ServiceMutation
from schema.service.query import ServiceQuery
from schema.share_link.mutation import ShareLinkMutation
from schema.share_link.query import ShareLinkQuery
from schema.sharing.mutation import SharingMutation
from schema.sharing.query import SharingQuery
from schema.task.mutation import TaskMutation
from schema.task.query import TaskQuery
from schema.task_template.mutation import TaskTemplateMutation
from schema.task_template.query import TaskTemplateQuery
from schema.team.mutation import TeamMutation
from schema.user.mutation import UserMutation
from schema.user.query import UserQuery
from schema.user_admin.mutation import UserAdminMutation
from server.operation import AlmanacOperation


@strawberry.type
class NodeQuery:
    node: relay.Node | None = relay.node(extensions=[ConcreteNodeIds()])
    nodes: list[relay.Node | None] = relay.node(extensions=[ConcreteNodeIds()])


QUERIES: tuple[type, ...] = (
    NodeQuery,
    UserQuery,
    CommunityQuery,
    PublicQuery,
    TaskQuery,
    TaskTemplateQuery,
    ResourceQuery,
    BookingQuery,
    EventQuery,
    CalendarQuery,
    ShareLinkQuery,
    PpaQuery,
    NeedQuery,
    AssessmentQuery,
    PolicyQuery,
    NotificationQuery,
    DashboardQuery,
    MeetingQuery,
    PartnerQuery,
    SharingQuery,
    ServiceQuery,
)
MUTATIONS: tuple[type, ...] = (
    AuthMutation,
    AccountMutation,
    CommunityMutation,
    TaskMutation,
    TaskTemplateMutation,
    ResourceMutation,
    BookingMutation,
    EventMutation,
    CalendarMutation,
    ShareLinkMutation,
    PpaMutation,
    NeedMutation,
    AssessmentMutation,
    PolicyMutation,
    NotificationMutation,
    UserMutation,
    TeamMutation,
    UserAdminMutation,
    EventTasksMutation,
    AttachmentMutation,
    MeetingMutation,
    PartnerMutation,
    SharingMutation,
    ServiceMutation,
)

Query = merge_types("Query", QUERIES)
Mutation = merge_types("Mutation", MUTATIONS)

# One extension for every operation's checks and bookkeeping, once twelve (server/operation.py).
EXTENSIONS: list[type] = [AlmanacOperation]

schema = AlmanacSchema(
    query=Query, mutation=Mutation, subscription=Subscription, extensions=EXTENSIONS,
    execution_context_class=FastFieldsExecutor,
)
