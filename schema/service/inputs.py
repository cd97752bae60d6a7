from __future__ import annotations

import strawberry

from schema.service.types import ServiceRequestStatusEnum, ServiceStatusEnum


@strawberry.input
class CreateServiceInput:
    name: str
    owner_team_id: strawberry.ID | None = None
    description: str = ""
    eligibility: str = ""
    requirements: str = ""
    procedure: str = ""
    contact: str = ""
    ppa_ids: list[strawberry.ID] = strawberry.field(default_factory=list)


@strawberry.input(description="Omitted fields stay; status: DRAFT -> PUBLISHED -> RETIRED (and back to DRAFT).")
class UpdateServiceInput:
    id: strawberry.ID
    expected_version: int
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    eligibility: str | None = strawberry.UNSET
    requirements: str | None = strawberry.UNSET
    procedure: str | None = strawberry.UNSET
    contact: str | None = strawberry.UNSET
    status: ServiceStatusEnum | None = strawberry.UNSET  # type: ignore[valid-type]


@strawberry.input(description="Anyone may submit (no sign-in); answered with a tracking code.")
class SubmitServiceRequestInput:
    service_id: strawberry.ID
    requester_name: str
    contact: str = strawberry.field(description="An email address or a phone number.")
    details: str = ""
    community_id: strawberry.ID | None = None


@strawberry.input(description="SUBMITTED -> IN_REVIEW -> APPROVED | REJECTED; APPROVED -> COMPLETED.")
class HandleServiceRequestInput:
    id: strawberry.ID
    expected_version: int
    status: ServiceRequestStatusEnum  # type: ignore[valid-type]
    staff_note: str = ""
