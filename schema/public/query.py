"""``publicServices``: what the office is delivering, readable without signing in.

What may be shown, and of which PPAs, is the PPA policy's public face (``db/policies/ppa.py``).
"""
from __future__ import annotations

from datetime import date

import strawberry

from db.queries.public_services import public_services


@strawberry.type
class PublicService:
    name: str
    description: str
    category: str
    community: str | None
    starts_on: date | None
    ends_on: date | None


@strawberry.type
class PublicQuery:
    @strawberry.field(description="Active programs, projects and activities being delivered to communities.")
    async def public_services(self, info: strawberry.Info, community: str | None = None) -> list[PublicService]:
        rows = await public_services(info.context.session, community)
        return [PublicService(name=r.name, description=r.description, category=r.category.value,
                              community=r.community, starts_on=r.starts_on, ends_on=r.ends_on) for r in rows]
