from __future__ import annotations

from datetime import date

import strawberry

from schema.policy.types import PolicyStatusEnum


@strawberry.input
class CreatePolicyInput:
    title: str
    code: str | None = None
    description: str = ""
    status: PolicyStatusEnum | None = None  # type: ignore[valid-type]
    community_id: strawberry.ID | None = None
    owner_id: strawberry.ID | None = None
    effective_on: date | None = None
    review_on: date | None = None
    ppa_ids: list[strawberry.ID] = strawberry.field(default_factory=list, description="PPAs this policy guides.")


@strawberry.input
class PolicyFilter:
    statuses: list[PolicyStatusEnum] | None = None  # type: ignore[valid-type]
    community_ids: list[strawberry.ID] | None = None
    owner_ids: list[strawberry.ID] | None = None
    ppa_id: strawberry.ID | None = None
    search: str | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    review_from: date | None = None
    review_to: date | None = None


@strawberry.input(description="Omitted fields stay as they are; status moves follow the policy lifecycle.")
class UpdatePolicyInput:
    id: strawberry.ID
    expected_version: int = strawberry.field(description="The version read; a newer one answers CONFLICT.")
    title: str | None = strawberry.UNSET
    code: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    status: PolicyStatusEnum | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET,
        description="DRAFT -> UNDER_REVIEW -> ADOPTED (needs an effective date) -> RETIRED; a review may return it "
                    "to DRAFT.")
    community_id: strawberry.ID | None = strawberry.UNSET
    owner_id: strawberry.ID | None = strawberry.UNSET
    effective_on: date | None = strawberry.UNSET
    review_on: date | None = strawberry.UNSET
