from __future__ import annotations

import strawberry

from schema.core.errors import UserError
from schema.policy.types import PolicyType


@strawberry.type
class CreatePolicyPayload:
    policy: PolicyType | None
    errors: list[UserError]


@strawberry.type
class UpdatePolicyPayload:
    policy: PolicyType | None
    errors: list[UserError]
