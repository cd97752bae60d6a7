"""Helpers for tests that need real commits (races): resolver contexts on committed sessions, cleanup."""
from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import Role
from db.models import AuditLog, ChangeLog, Ppa, Task, User
from server.context import Context
from server.settings import Settings


class NullNotifier:
    def wake(self) -> None:
        return None


def context_for(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, user: User) -> Context:
    return Context(settings=settings, sessionmaker=sessionmaker, notifier=NullNotifier(), user=user)


async def committed_user(sessionmaker: async_sessionmaker[AsyncSession], role: Role = Role.STAFF) -> User:
    async with sessionmaker() as session:
        user = User(email=f"race-{uuid.uuid4().hex[:10]}@example.org", name="Racer", role=role, password_hash="x")
        session.add(user)
        await session.commit()
        return user


async def cleanup(
    sessionmaker: async_sessionmaker[AsyncSession], *, users: Sequence[User] = (), ppa_ids: Sequence[int] = (),
    task_ids: Sequence[int] = (),
) -> None:
    async with sessionmaker() as session:
        actor_ids = [u.id for u in users]
        if task_ids:
            await session.execute(delete(Task).where(Task.id.in_(task_ids)))
        if ppa_ids:
            await session.execute(delete(Task).where(Task.ppa_id.in_(ppa_ids)))
            await session.execute(delete(Ppa).where(Ppa.id.in_(ppa_ids)))
        if actor_ids:
            await session.execute(delete(Task).where(Task.created_by_id.in_(actor_ids)))
            await session.execute(delete(ChangeLog).where(ChangeLog.actor_id.in_(actor_ids)))
            await session.execute(delete(AuditLog).where(AuditLog.actor_id.in_(actor_ids)))
            await session.execute(delete(User).where(User.id.in_(actor_ids)))
        await session.commit()
