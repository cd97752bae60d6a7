"""The service catalog's types: services (public once PUBLISHED) and requests (staff)."""
from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from dataloaders.service import owner_names_by_service_id, ppas_by_service_id
from db.enums import ServiceRequestStatus, ServiceStatus
from db.models import Service, ServiceRequest
from schema.attachment.fields import attachments_of
from schema.attachment.types import AttachmentType
from schema.community.types import CommunityType
from schema.core.connection import Connection
from schema.core.node import ModelNode, load_node
from schema.ppa.types import PpaType
from schema.user.types import UserType

ServiceStatusEnum = strawberry.enum(ServiceStatus, name="ServiceStatus")
ServiceRequestStatusEnum = strawberry.enum(ServiceRequestStatus, name="ServiceRequestStatus")


@strawberry.type(name="Service", description="A curated service of the office; public once PUBLISHED.")
class ServiceType(ModelNode):
    model = Service
    id: relay.NodeID[int]
    name: str
    description: str
    eligibility: str
    requirements: str
    procedure: str
    contact: str
    status: ServiceStatusEnum  # type: ignore[valid-type]
    version: int

    @classmethod
    def from_model(cls, row: Service) -> Self:
        return cls(id=row.id, name=row.name, description=row.description, eligibility=row.eligibility,
                   requirements=row.requirements, procedure=row.procedure, contact=row.contact, status=row.status,
                   version=row.version)

    @strawberry.field(description="The owner MAO's name.")
    async def owner_mao(self, info: strawberry.Info) -> str | None:
        name: str | None = await info.context.loaders.of(owner_names_by_service_id).load(self.id)
        return name

    @strawberry.field(description="PPAs delivering this service (for readers of PPAs: signed-in users).")
    async def ppas(self, info: strawberry.Info) -> list[PpaType]:
        return [PpaType.from_model(p) for p in await info.context.loaders.of(ppas_by_service_id).load(self.id)]


@strawberry.type(name="ServiceRequest", description="A request from the public, read and handled by MANAGER, ADMIN, "
                  "the service's owner team and whoever handled it.")
class ServiceRequestType(ModelNode):
    model = ServiceRequest
    id: relay.NodeID[int]
    tracking_code: str
    requester_name: str
    contact: str
    details: str
    status: ServiceRequestStatusEnum  # type: ignore[valid-type]
    staff_note: str
    version: int
    created_at: datetime
    _row: strawberry.Private[ServiceRequest]

    @classmethod
    def from_model(cls, row: ServiceRequest) -> Self:
        return cls(id=row.id, tracking_code=row.tracking_code, requester_name=row.requester_name,
                   contact=row.contact, details=row.details, status=row.status, staff_note=row.staff_note,
                   version=row.version, created_at=row.created_at, _row=row)

    @strawberry.field
    async def service(self, info: strawberry.Info) -> ServiceType | None:
        return await load_node(info, ServiceType, self._row.service_id)

    @strawberry.field
    async def community(self, info: strawberry.Info) -> CommunityType | None:
        return await load_node(info, CommunityType, self._row.community_id)

    @strawberry.field
    async def handled_by(self, info: strawberry.Info) -> UserType | None:
        return await load_node(info, UserType, self._row.handled_by_id)

    @strawberry.field(description="Files the staff handling this request attached (never shown by tracking code).")
    async def attachments(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[AttachmentType]:
        return await attachments_of(info, "ServiceRequest", self.id, first=first, after=after)


@strawberry.type(name="ServiceRequestTracking", description="What the tracking code shows its holder.")
class ServiceRequestTrackingType:
    tracking_code: str
    service_name: str
    status: ServiceRequestStatusEnum  # type: ignore[valid-type]
    submitted_at: datetime
    updated_at: datetime
