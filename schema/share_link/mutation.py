from __future__ import annotations

import strawberry

from resolvers import share_link as resolve
from schema.core.mutation_field import mutation_field


@strawberry.type
class ShareLinkMutation:
    create_share_link = mutation_field(resolve.create_share_link)

    revoke_share_link = mutation_field(resolve.revoke_share_link)
