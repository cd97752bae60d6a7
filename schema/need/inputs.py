from __future__ import annotations

from datetime import date

import strawberry

from schema.need.types import NeedStatusEnum
from schema.task.types import TaskPriorityEnum


@strawberry.input
class CreateNeedInput:
    title: str
    description: str = ""
    category: str = ""
    priority: TaskPriorityEnum | None = None  # type: ignore[valid-type]
    status: NeedStatusEnum | None = None  # type: ignore[valid-type]
    community_id: strawberry.ID | None = None
    assessment_id: strawberry.ID | None = None
    identified_on: date | None = None


@strawberry.input
class NeedFilter:
    statuses: list[NeedStatusEnum] | None = None  # type: ignore[valid-type]
    priorities: list[TaskPriorityEnum] | None = None  # type: ignore[valid-type]
    community_ids: list[strawberry.ID] | None = None
    assessment_id: strawberry.ID | None = None
    ppa_id: strawberry.ID | None = None
    category: str | None = None
    search: str | None = None
    identified_from: date | None = None
    identified_to: date | None = None


@strawberry.input(description="Omitted fields stay as they are; status moves follow the need lifecycle.")
class UpdateNeedInput:
    id: strawberry.ID
    expected_version: int = strawberry.field(description="The version read; a newer one answers CONFLICT.")
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    category: str | None = strawberry.UNSET
    priority: TaskPriorityEnum | None = strawberry.UNSET  # type: ignore[valid-type]
    priority_score: float | None = strawberry.field(default=strawberry.UNSET, description="0-100; null clears it.")
    status: NeedStatusEnum | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET,
        description="IDENTIFIED -> VALIDATED -> PRIORITIZED (needs a score) -> ADDRESSED; any open need may be CLOSED.")
    community_id: strawberry.ID | None = strawberry.UNSET
    assessment_id: strawberry.ID | None = strawberry.UNSET
    identified_on: date | None = strawberry.UNSET
