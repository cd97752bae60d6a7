from __future__ import annotations

import strawberry

from schema.core.errors import UserError
from schema.need.types import NeedType


@strawberry.type
class CreateNeedPayload:
    need: NeedType | None
    errors: list[UserError]


@strawberry.type
class UpdateNeedPayload:
    need: NeedType | None
    errors: list[UserError]
