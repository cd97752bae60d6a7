from __future__ import annotations

import strawberry

from resolvers import sharing as resolve
from schema.core.mutation_field import mutation_field


@strawberry.type
class SharingMutation:
    share_calendar = mutation_field(
        resolve.share_calendar, description="Share your calendar with a user or a team at FREE_BUSY, READ or WRITE.")
    unshare_calendar = mutation_field(resolve.unshare_calendar)
