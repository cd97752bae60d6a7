"""The public service catalog.

* Services: a PUBLISHED service is public (anonymous callers read it: scope PUBLIC);
  drafts and retired services are read by signed-in users only.
* Service requests: signed-in users (the office) read them; anonymous callers none.
  A requester holds a capability instead, the tracking code: ``tracked_by(code)`` is
  the one condition under which a request's status is shown to someone not signed in.
* Service PPAs (links): as their service.
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ServiceStatus
from db.models import Service, ServiceRequest
from db.policies.audience import PUBLIC, SIGNED_IN, Audience
from db.policies.base import EntityPolicy, OfficeWidePolicy
from db.policies.viewer import Viewer


def service_readable(viewer: Viewer) -> ColumnElement[bool]:
    if viewer.signed_in:
        return true()
    return Service.status == ServiceStatus.PUBLISHED


def tracked_by(code: str) -> ColumnElement[bool]:
    """The request whose tracking code this is (the requester's only, unguessable handle)."""
    return ServiceRequest.tracking_code == code


class ServicePolicy(EntityPolicy[Service]):
    model = Service
    entity_type = "Service"

    def readable(self, viewer: Viewer) -> ColumnElement[bool]:
        return service_readable(viewer)

    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        rows = await session.execute(select(Service.id, Service.status).where(Service.id.in_(list(ids))))
        return {pk: PUBLIC if status == ServiceStatus.PUBLISHED else SIGNED_IN for pk, status in rows.tuples()}


class ServiceRequestPolicy(OfficeWidePolicy[ServiceRequest]):
    model = ServiceRequest
    entity_type = "ServiceRequest"



