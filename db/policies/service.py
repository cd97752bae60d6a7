"""The public service catalog.

* Services: a PUBLISHED service is public (anonymous callers read it: scope PUBLIC);
  drafts and retired services are read by signed-in users only.
* Service requests hold a member of the public's name, contact and circumstances (and
  their attachments, often IDs), so they are read by those who handle them only: MANAGER
  and ADMIN, members of the service's owner team (whose leads are notified of each
  request) and whoever last handled it; anonymous callers none. A requester holds a
  capability instead, the tracking code: ``tracked_by(code)`` is the one condition under
  which a request's status (never its attachments) is shown to someone not signed in.
* Service PPAs (links): as their service.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role, ServiceStatus
from db.models import Service, ServiceRequest, TeamMembership
from db.policies.audience import DECIDERS, PUBLIC, SIGNED_IN, Audience, listed
from db.policies.base import EntityPolicy
from db.policies.teams import of_teams
from db.policies.viewer import Viewer
from db.policies.write import RoleEditable


def service_readable(viewer: Viewer) -> ColumnElement[bool]:
    if viewer.signed_in:
        return true()
    return Service.status == ServiceStatus.PUBLISHED


def tracked_by(code: str) -> ColumnElement[bool]:
    """The request whose tracking code this is (the requester's only, unguessable handle)."""
    return ServiceRequest.tracking_code == code


class ServicePolicy(RoleEditable, EntityPolicy[Service]):
    """Curated (created, edited, published, retired) by MANAGER and ADMIN."""

    model = Service
    entity_type = "Service"
    editor_roles = (Role.MANAGER, Role.ADMIN)

    def readable(self, viewer: Viewer) -> ColumnElement[bool]:
        return service_readable(viewer)

    def in_teams(self, team_ids: frozenset[int]) -> ColumnElement[bool]:
        return of_teams(Service.owner_team_id, team_ids)

    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        rows = await session.execute(select(Service.id, Service.status).where(Service.id.in_(list(ids))))
        return {pk: PUBLIC if status == ServiceStatus.PUBLISHED else SIGNED_IN for pk, status in rows.tuples()}


SERVICES = ServicePolicy()


def _handles(viewer: Viewer) -> ColumnElement[bool]:
    """SQL on ``service_requests``: a STAFF or VIEWER ``viewer`` handled the request or is on
    its service's owner team."""
    on_owner_team = (
        select(TeamMembership.user_id)
        .join(Service, Service.owner_team_id == TeamMembership.team_id)
        .where(Service.id == ServiceRequest.service_id, TeamMembership.user_id == viewer.user_id)
        .correlate(ServiceRequest)
        .exists()
    )
    return or_(ServiceRequest.handled_by_id == viewer.user_id, on_owner_team)


def service_request_id_readable(viewer: Viewer, request_id: Any) -> ColumnElement[bool]:
    """SQL: ``viewer`` may read the service request whose id is ``request_id`` (a column of another table)."""
    if viewer.user_id is None:
        return false()
    if viewer.is_manager:
        return true()
    return select(ServiceRequest.id).where(ServiceRequest.id == request_id, _handles(viewer)).exists()


async def service_request_audiences(session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
    if not ids:
        return {}
    rows = (await session.execute(
        select(ServiceRequest.id, ServiceRequest.handled_by_id, TeamMembership.user_id)
        .join(Service, Service.id == ServiceRequest.service_id)
        .outerjoin(TeamMembership, TeamMembership.team_id == Service.owner_team_id)
        .where(ServiceRequest.id.in_(list(ids)))
    )).tuples()
    handlers: dict[int, set[int | None]] = defaultdict(set)
    for pk, handled_by, member in rows:
        handlers[pk].update((handled_by, member))
    return {pk: listed(users, DECIDERS) for pk, users in handlers.items()}


class ServiceRequestPolicy(EntityPolicy[ServiceRequest]):
    model = ServiceRequest
    entity_type = "ServiceRequest"

    def readable(self, viewer: Viewer) -> ColumnElement[bool]:
        if viewer.user_id is None:
            return false()
        if viewer.is_manager:
            return true()
        return _handles(viewer)

    def in_teams(self, team_ids: frozenset[int]) -> ColumnElement[bool]:
        return ServiceRequest.service_id.in_(select(Service.id).where(of_teams(Service.owner_team_id, team_ids)))

    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        return await service_request_audiences(session, ids)
