"""Committed notifications and reads for job tests."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import ChangeLog, Notification
from db.queries.notification import NewNotification, insert_notifications


async def due_notifications(
    maker: async_sessionmaker[AsyncSession], user_id: int, deliver_at: datetime, count: int = 1
) -> list[int]:
    batch = uuid.uuid4().hex[:8]
    rows = [
        NewNotification(user_id=user_id, kind="test", title=f"Test {batch} #{i}", body="Hello",
                        dedupe_key=f"test:{batch}:{i}", deliver_at=deliver_at)
        for i in range(count)
    ]
    async with maker() as session:
        ids = await insert_notifications(session, rows)
        await session.commit()
    return ids


async def notifications_of(maker: async_sessionmaker[AsyncSession], user_id: int) -> list[Notification]:
    async with maker() as session:
        rows = await session.scalars(select(Notification).where(Notification.user_id == user_id).order_by(Notification.id))
        return list(rows)


async def pushes_for(maker: async_sessionmaker[AsyncSession], user_id: int) -> list[ChangeLog]:
    async with maker() as session:
        rows = await session.scalars(
            select(ChangeLog).where(ChangeLog.entity_type == "Notification",
                                    ChangeLog.payload["user_id"].astext == str(user_id)).order_by(ChangeLog.id)
        )
        return list(rows)
