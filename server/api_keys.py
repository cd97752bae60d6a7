"""API keys for partner systems: ``alm_<prefix>_<secret>`` bearer tokens, read-only and scoped.

A request with a key reads as a VIEWER that is nobody in particular (a negative user id that
matches no owner, participant, assignee or requester): every access policy applies to it as
to any office VIEWER, minus anything personal or PRIVATE. ``server/api_key_scope.py`` limits
it further to its key's modules.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import Role
from db.models import ApiKey, User
from db.models.partner import ApiModule

KEY_PREFIX = "alm_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class IssuedKey:
    prefix: str
    secret: str  # the whole token, shown once


@dataclass(frozen=True, slots=True)
class ApiKeyPrincipal:
    id: int
    prefix: str
    modules: frozenset[ApiModule]
    requests_per_minute: int
    team_ids: frozenset[int] | None = None  # None: every team


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_key() -> IssuedKey:
    prefix = secrets.token_hex(4)
    return IssuedKey(prefix=prefix, secret=f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}")


def is_api_key(token: str | None) -> bool:
    return token is not None and token.startswith(KEY_PREFIX)


async def principal_for(sessionmaker: async_sessionmaker[AsyncSession], token: str) -> ApiKeyPrincipal | None:
    """The live key this token is, or None (unknown, revoked or malformed: all look the same)."""
    parts = token.removeprefix(KEY_PREFIX).split("_", 1)
    if len(parts) != 2:
        return None
    async with sessionmaker() as session:
        key = await session.scalar(select(ApiKey).where(ApiKey.prefix == parts[0], ApiKey.revoked_at.is_(None)))
        if key is None or not hmac.compare_digest(key.secret_sha256, digest(token)):
            return None
        now = datetime.now(UTC)
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            # at most one write per key a minute, not one per request
            await session.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now))
            await session.commit()
        return ApiKeyPrincipal(key.id, key.prefix, frozenset(ApiModule(m) for m in key.modules),
                               key.requests_per_minute, team_scope(key))


def team_scope(key: ApiKey) -> frozenset[int] | None:
    return frozenset(key.team_ids) if key.team_ids is not None else None


def acting_user(principal: ApiKeyPrincipal) -> User:
    """The read-only stand-in user a key's requests run as (never stored)."""
    return User(id=-principal.id, email="", name=f"API key {principal.prefix}", role=Role.VIEWER, is_active=True)
