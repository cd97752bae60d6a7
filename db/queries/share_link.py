"""Share-link queries: readable links, and the active link of a token hash."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ShareLink
from db.policies import Viewer, policy_for


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _active() -> ColumnElement[bool]:
    """Neither revoked nor expired."""
    return and_(
        ShareLink.revoked_at.is_(None),
        or_(ShareLink.expires_at.is_(None), ShareLink.expires_at > datetime.now(UTC)),
    )


def share_links_query(viewer: Viewer, owner_id: int | None, *, include_inactive: bool = False) -> Select[ShareLink]:
    """Links ``viewer`` may read (``db/policies/personal.py``), of one owner or (``None``) of all."""
    stmt = policy_for(ShareLink).select(viewer)
    if owner_id is not None:
        stmt = stmt.where(ShareLink.owner_id == owner_id)
    if not include_inactive:
        stmt = stmt.where(_active())
    return stmt.order_by(ShareLink.created_at.desc(), ShareLink.id.desc())


async def active_link_for_token(session: AsyncSession, token: str) -> ShareLink | None:
    """The link a token opens; None for an unknown, revoked or expired one."""
    return (await session.scalars(
        select(ShareLink).where(ShareLink.token_hash == token_hash(token), _active())
    )).first()
