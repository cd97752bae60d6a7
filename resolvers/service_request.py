"""Service requests: the public submits (rate-limited per client, validated, answered with a
tracking code), the requester tracks by code, staff move requests through the workflow.

Each submission notifies the owner MAO's leads (or, without an owner, the managers)."""
from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from db.enums import ChangeOp, Role, ServiceRequestStatus, ServiceStatus, TeamRole
from db.models import Service, ServiceRequest, TeamMembership, User
from db.policies import ANONYMOUS, policy_for
from db.policies.service import tracked_by
from db.queries.logs import record_change
from db.queries.notification import NewNotification, insert_notifications
from db.rules.lifecycles import check_move
from resolvers import ppa_fields as pf
from resolvers import validation as v
from resolvers.lifecycle import Versioned, allowed_move, update_row
from resolvers.mutation import not_found, run_mutation, validation
from schema.core.connection import Connection, paginate
from schema.core.errors import DomainError, ErrorCode
from schema.core.ids import decode_id
from schema.service.inputs import HandleServiceRequestInput, SubmitServiceRequestInput
from schema.service.payloads import HandleServiceRequestPayload, SubmitServiceRequestPayload
from schema.service.types import ServiceRequestTrackingType, ServiceRequestType
from server.context import Context
from server.rate_limit import identity_of, service_request_limiter_for

REQUEST_MOVES = {
    ServiceRequestStatus.SUBMITTED: frozenset({ServiceRequestStatus.IN_REVIEW, ServiceRequestStatus.REJECTED}),
    ServiceRequestStatus.IN_REVIEW: frozenset({ServiceRequestStatus.APPROVED, ServiceRequestStatus.REJECTED}),
    ServiceRequestStatus.APPROVED: frozenset({ServiceRequestStatus.COMPLETED}),
    ServiceRequestStatus.REJECTED: frozenset(),
    ServiceRequestStatus.COMPLETED: frozenset(),
}
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
CODE_LENGTH = 12  # 32^12 = 2^60 codes


def tracking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def contact_of(value: str) -> str:
    contact = v.text(value, "input.contact", max_length=300)
    digits = sum(c.isdigit() for c in contact)
    if "@" not in contact and digits < 7:
        raise validation("Give an email address or a phone number.", "input.contact")
    return contact


async def staff_to_notify(ctx: Context, service: Service) -> list[int]:
    if service.owner_team_id is not None:
        leads = list(await ctx.session.scalars(select(TeamMembership.user_id).where(
            TeamMembership.team_id == service.owner_team_id, TeamMembership.role == TeamRole.LEAD)))
        if leads:
            return leads
    return list(await ctx.session.scalars(select(User.id).where(User.role == Role.MANAGER, User.is_active)))


async def submit(ctx: Context, input: SubmitServiceRequestInput) -> SubmitServiceRequestPayload:
    async def work() -> SubmitServiceRequestPayload:
        limiter = service_request_limiter_for(ctx.state)
        if limiter is not None:
            verdict = await limiter.hit(identity_of(ctx))
            if not verdict.allowed:
                raise DomainError.one(ErrorCode.RATE_LIMITED, f"Too many requests; try again in "
                                      f"{verdict.retry_after_seconds} seconds.")
        pk = decode_id(input.service_id, "Service", field="input.serviceId")
        # Requests go to services offered to the public, whoever submits them.
        service = await ctx.session.scalar(policy_for(Service).select(ANONYMOUS).where(Service.id == pk))
        if service is None or service.status != ServiceStatus.PUBLISHED:
            raise not_found("Service", "input.serviceId")
        request = ServiceRequest(
            service_id=service.id, tracking_code=tracking_code(),
            requester_name=v.text(input.requester_name, "input.requesterName", max_length=200),
            contact=contact_of(input.contact), details=v.text(input.details, "input.details", max_length=5000,
                                                               required=False),
            community_id=await pf.reference(ctx, input.community_id, "Community", "input.communityId"),
        )
        ctx.session.add(request)
        await ctx.session.flush()
        await record_change(ctx.session, "ServiceRequest", request.id, ChangeOp.CREATED,
                            {"service_id": service.id, "status": request.status.value})
        await insert_notifications(ctx.session, [
            NewNotification(user_id=user_id, kind="service_request_submitted",
                            title=f"New request: {service.name}"[:300],
                            body=f"{request.requester_name} asked for {service.name} ({request.tracking_code}).",
                            dedupe_key=f"service-request:{request.id}:{user_id}", deliver_at=request.created_at,
                            subject_type="ServiceRequest", subject_id=request.id,
                            payload={"service_request_id": request.id})
            for user_id in await staff_to_notify(ctx, service)])
        await ctx.commit()
        return SubmitServiceRequestPayload(tracking_code=request.tracking_code, errors=[])

    return await run_mutation(ctx, work, lambda errors: SubmitServiceRequestPayload(tracking_code=None, errors=errors))


async def track(ctx: Context, code: str) -> ServiceRequestTrackingType | None:
    cleaned = code.strip().upper()
    if len(cleaned) != CODE_LENGTH:
        return None
    row = (await ctx.session.execute(
        select(ServiceRequest, Service.name).join(Service, Service.id == ServiceRequest.service_id)
        .where(tracked_by(cleaned)))).first()
    if row is None:
        return None
    request, name = row
    return ServiceRequestTrackingType(tracking_code=request.tracking_code, service_name=name, status=request.status,
                                      submitted_at=request.created_at, updated_at=request.updated_at)


async def requests(ctx: Context, statuses: Sequence[ServiceRequestStatus] | None, first: int | None,
                   after: str | None) -> Connection[ServiceRequestType]:
    ctx.require_user()
    stmt = policy_for(ServiceRequest).select(ctx.viewer)
    if statuses:
        stmt = stmt.where(ServiceRequest.status.in_(list(statuses)))
    stmt = stmt.order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
    return await paginate(ctx.session, stmt, first=first, after=after, to_node=ServiceRequestType.from_model)


def change(r: ServiceRequest) -> dict[str, Any]:
    return {"service_id": r.service_id, "status": r.status.value}


REQUESTS = Versioned(ServiceRequest, "ServiceRequest", "Service request", lambda r: {"status": r.status.value})


async def handle(ctx: Context, input: HandleServiceRequestInput) -> HandleServiceRequestPayload:
    async def work() -> HandleServiceRequestPayload:
        user = ctx.require_writer()
        status = ServiceRequestStatus(input.status)

        async def values(current: ServiceRequest) -> dict[str, Any]:
            allowed_move(check_move, REQUEST_MOVES, current.status, status)
            return {"status": status, "handled_by_id": user.id,
                    "staff_note": v.text(input.staff_note, "input.staffNote", max_length=5000, required=False)}

        row = await update_row(ctx, REQUESTS, input.id, input.expected_version, user, values=values,
                               change=change, action="handle")
        return HandleServiceRequestPayload(request=ServiceRequestType.from_model(row), errors=[])

    return await run_mutation(ctx, work, lambda errors: HandleServiceRequestPayload(request=None, errors=errors))
