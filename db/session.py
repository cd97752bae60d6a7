"""An AsyncSession that runs one statement at a time.

Strawberry resolves sibling fields concurrently (``asyncio.gather``), and the
dataloaders of sibling fields dispatch in the same tick, all on the request's
one session. A plain AsyncSession refuses overlapping operations ("concurrent
operations are not permitted"); this one queues them behind a lock, so every
resolver and loader can use ``ctx.session`` freely.

``begin_nested()`` is not serialized: a savepoint spans several statements
that need the lock themselves. Mutations run one at a time, so only they use it.
"""
from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import Executable, Result
from sqlalchemy.ext.asyncio import AsyncSession


class SerializedSession(AsyncSession):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._statement_lock = asyncio.Lock()

    async def execute(self, *args: Any, **kwargs: Any) -> Any:  # scalars() goes through here
        async with self._statement_lock:
            return await super().execute(*args, **kwargs)

    async def execute_core(self, statement: Executable, params: dict[str, Any] | None = None) -> Result[Any]:
        """``statement`` on the session's connection, as Core runs it: plain rows without the ORM's
        per-row result processing (~20 % of a list statement's CPU), for reads of selected columns
        (``dataloaders.registry.records``). Flushes pending changes first, as ``execute`` would."""
        async with self._statement_lock:
            if self.new or self.dirty or self.deleted:
                await super().flush()
            connection = await self.connection()
            return await connection.execute(statement, params)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        async with self._statement_lock:
            return await super().scalar(*args, **kwargs)

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        async with self._statement_lock:
            return await super().get(*args, **kwargs)

    async def flush(self, *args: Any, **kwargs: Any) -> None:
        async with self._statement_lock:
            await super().flush(*args, **kwargs)

    async def commit(self) -> None:
        async with self._statement_lock:
            await super().commit()

    async def rollback(self) -> None:
        async with self._statement_lock:
            await super().rollback()

    async def refresh(self, *args: Any, **kwargs: Any) -> None:
        async with self._statement_lock:
            await super().refresh(*args, **kwargs)

    async def run_sync(self, *args: Any, **kwargs: Any) -> Any:
        async with self._statement_lock:
            return await super().run_sync(*args, **kwargs)

    async def get_one(self, *args: Any, **kwargs: Any) -> Any:
        async with self._statement_lock:
            return await super().get_one(*args, **kwargs)

    async def merge(self, *args: Any, **kwargs: Any) -> Any:
        async with self._statement_lock:
            return await super().merge(*args, **kwargs)

    async def delete(self, *args: Any, **kwargs: Any) -> None:
        async with self._statement_lock:
            await super().delete(*args, **kwargs)

    async def close(self) -> None:
        async with self._statement_lock:
            await super().close()
