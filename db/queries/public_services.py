"""``publicServices``: the public face of PPAs being delivered (``db/policies/ppa.py``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import PpaCategory
from db.models import Community, Ppa
from db.policies.ppa import PUBLIC_FACE, publicly_listed

MAX_PUBLIC_SERVICES = 200


@dataclass(frozen=True, slots=True)
class PublicServiceRow:
    name: str
    description: str
    category: PpaCategory
    starts_on: date | None
    ends_on: date | None
    community: str | None


async def public_services(session: AsyncSession, community: str | None = None) -> list[PublicServiceRow]:
    """Publicly listed PPAs (``publicly_listed``), only their public face, one statement."""
    stmt = (
        select(*PUBLIC_FACE, Community.name)
        .outerjoin(Community, Community.id == Ppa.community_id)
        .where(publicly_listed())
        .order_by(Ppa.starts_on, Ppa.id)
        .limit(MAX_PUBLIC_SERVICES)
    )
    if community:
        stmt = stmt.where(Community.name == community[:200])
    return [PublicServiceRow(title, description, PpaCategory(category), starts_on, ends_on, community_name)
            for title, description, category, starts_on, ends_on, community_name in await session.execute(stmt)]
