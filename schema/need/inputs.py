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
