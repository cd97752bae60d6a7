from __future__ import annotations

from datetime import datetime

import strawberry

from db.enums import ServiceStatus
from resolvers import service, service_request
from resolvers.service import public_calendar
from schema.calendar.enums import CalendarModuleEnum
from schema.calendar.types import CalendarWindowType
from schema.core.connection import Connection
from schema.service.types import (
    ServiceRequestStatusEnum,
    ServiceRequestTrackingType,
    ServiceRequestType,
    ServiceStatusEnum,
    ServiceType,
)


@strawberry.type
class ServiceQuery:
    @strawberry.field(description="The public service catalog: PUBLISHED services (no sign-in needed).")
    async def service_catalog(self, info: strawberry.Info, search: str | None = None, team_id: strawberry.ID | None = None,
                              first: int | None = None, after: str | None = None) -> Connection[ServiceType]:
        return await service.services(info.context, [ServiceStatus.PUBLISHED], search, team_id, first, after)

    @strawberry.field(description="Services in any status (drafts and retired ones for signed-in users).")
    async def services(self, info: strawberry.Info,
                       statuses: list[ServiceStatusEnum] | None = None,  # type: ignore[valid-type]
                       search: str | None = None, first: int | None = None,
                       after: str | None = None) -> Connection[ServiceType]:
        info.context.require_user()
        wanted = [ServiceStatus(s) for s in statuses] if statuses else list(ServiceStatus)
        return await service.services(info.context, wanted, search, None, first, after)

    @strawberry.field(description="A service request's status, for whoever holds its tracking code (no sign-in).")
    async def track_service_request(self, info: strawberry.Info, tracking_code: str
                                    ) -> ServiceRequestTrackingType | None:
        return await service_request.track(info.context, tracking_code)

    @strawberry.field(description="Service requests for staff to handle, newest first.")
    async def service_requests(self, info: strawberry.Info,
                               statuses: list[ServiceRequestStatusEnum] | None = None,  # type: ignore[valid-type]
                               first: int | None = None, after: str | None = None) -> Connection[ServiceRequestType]:
        return await service_request.requests(info.context, statuses, first, after)

    @strawberry.field(description="PUBLIC events in a window (service schedules are module SERVICES); no sign-in.")
    async def public_calendar(self, info: strawberry.Info, start: datetime, end: datetime,
                              modules: list[CalendarModuleEnum] | None = None,  # type: ignore[valid-type]
                              ) -> CalendarWindowType:
        entries = await public_calendar(info.context, start, end, modules)
        return CalendarWindowType(start=start, end=end, entries=entries)  # type: ignore[arg-type]


