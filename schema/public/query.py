"""``publicServices``: what the office is delivering, readable without signing in."""
from __future__ import annotations

from datetime import date

import strawberry
from sqlalchemy import select

from db.enums import PpaCategory, PpaStage, PpaStatus
from db.models import Community, Ppa

PUBLIC_STAGES = (PpaStage.IMPLEMENTATION, PpaStage.MONITORING, PpaStage.EVALUATION)
MAX_PUBLIC_SERVICES = 200


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
        stmt = (
            select(Ppa.title, Ppa.description, Ppa.category, Community.name, Ppa.starts_on, Ppa.ends_on)
            .outerjoin(Community, Community.id == Ppa.community_id)
            .where(Ppa.status == PpaStatus.ACTIVE, Ppa.stage.in_(PUBLIC_STAGES))
            .order_by(Ppa.starts_on, Ppa.id)
            .limit(MAX_PUBLIC_SERVICES)
        )
        if community:
            stmt = stmt.where(Community.name == community[:200])
        rows = await info.context.session.execute(stmt)
        return [
            PublicService(name=title, description=desc, category=PpaCategory(cat).value, community=comm,
                          starts_on=start, ends_on=end)
            for title, desc, cat, comm, start, end in rows
        ]
