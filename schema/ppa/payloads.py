"""Mutation payloads of the PPA domain."""
from __future__ import annotations

import strawberry

from schema.core.errors import UserError
from schema.ppa.types import PpaMilestoneType, PpaStageType, PpaTransitionType, PpaType


@strawberry.type
class CreatePpaPayload:
    ppa: PpaType | None
    errors: list[UserError]


@strawberry.type
class UpdatePpaPayload:
    ppa: PpaType | None
    errors: list[UserError]


@strawberry.type
class AdvancePpaStagePayload:
    ppa: PpaType | None
    transition: PpaTransitionType | None
    errors: list[UserError]


@strawberry.type
class DecideBudgetPayload:
    ppa: PpaType | None
    transition: PpaTransitionType | None
    errors: list[UserError]


@strawberry.type
class AddPpaMilestonePayload:
    milestone: PpaMilestoneType | None
    errors: list[UserError]


@strawberry.type
class CompletePpaMilestonePayload:
    milestone: PpaMilestoneType | None
    errors: list[UserError]


@strawberry.type
class SchedulePpaStagePayload:
    stage: PpaStageType | None
    errors: list[UserError]


@strawberry.type
class LinkNeedsToPpaPayload:
    ppa: PpaType | None
    linked_count: int = strawberry.field(description="Links newly made (already linked needs are skipped).")
    errors: list[UserError]


@strawberry.type
class LinkPoliciesToPpaPayload:
    ppa: PpaType | None
    linked_count: int
    errors: list[UserError]


@strawberry.type
class ArchivePpaPayload:
    ppa: PpaType | None
    errors: list[UserError]


@strawberry.type
class UnlinkFromPpaPayload:
    ppa: PpaType | None
    unlinked_count: int = strawberry.field(description="Links removed (needs or policies not linked are skipped).")
    errors: list[UserError]
