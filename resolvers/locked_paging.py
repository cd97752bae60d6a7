"""Top-level connections that take the request session's lock (dataloaders/task.py ``session_lock``).

Sibling root fields (``needs``, ``assessments`` and ``policies`` in one query) and
the loaders they trigger share one AsyncSession, which refuses concurrent
statements (notably while it provisions its connection). Each statement of the
page and of its ``totalCount`` runs under the lock the serialized loaders hold.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from dataloaders.task import session_lock
from schema.core.connection import Connection, paginate

NodeT = TypeVar("NodeT")


async def locked_paginate(
    session: AsyncSession, stmt: Select[Any], *, first: int | None, after: str | None, to_node: Callable[[Any], NodeT]
) -> Connection[NodeT]:
    lock = session_lock(session)
    async with lock:
        connection = await paginate(session, stmt, first=first, after=after, to_node=to_node)
    count = connection._count

    async def locked_count() -> int:
        async with lock:
            return await count()

    connection._count = locked_count
    return connection
