"""Optimistic concurrency for any model with a ``version`` column."""
from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

M = TypeVar("M")


async def update_versioned(session: AsyncSession, model: type[M], pk: int, expected_version: int,
                           values: dict[str, Any]) -> M | None:
    """Apply ``values`` only if the row still has ``expected_version`` (checked in the UPDATE's
    WHERE, so a concurrent writer re-checks after the row lock and loses); bumps the version.
    None means stale or gone."""
    table: Any = model
    stmt = (
        update(table)
        .where(table.id == pk, table.version == expected_version)
        .values(**values, version=table.version + 1, updated_at=func.now())
        .returning(table)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    row: M | None = (await session.scalars(stmt)).one_or_none()
    return row
