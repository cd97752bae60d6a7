"""The orphan sweep pages through storage (both backends) and asks the database once per page:
memory and statements per page stay bounded however many files the store holds."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.models import Attachment
from jobs.attachments import GRACE, sweep_orphan_files
from server.storage import Storage, StoredFile, new_key, pages, thumbnail_key
from tests.calendar import factories as f
from tests.conftest import UserFactory

START = datetime(2031, 6, 2, 9, tzinfo=UTC)
PAGE = 10


class CountingStorage:
    """A backend that counts the calls the sweep makes and the largest page it holds."""

    def __init__(self, inner: Storage) -> None:
        self.inner = inner
        self.list_calls = 0
        self.delete_calls = 0
        self.largest_page = 0

    async def put(self, key: str, data: bytes) -> None:
        await self.inner.put(key, data)

    async def get(self, key: str) -> bytes | None:
        return await self.inner.get(key)

    async def delete(self, key: str) -> None:
        await self.inner.delete(key)

    async def delete_many(self, keys: Sequence[str]) -> None:
        self.delete_calls += 1
        await self.inner.delete_many(keys)

    async def list_page(self, after: str | None, limit: int) -> list[StoredFile]:
        self.list_calls += 1
        page = await self.inner.list_page(after, limit)
        self.largest_page = max(self.largest_page, len(page))
        return page


@contextmanager
def attachment_lookups(engine: AsyncEngine) -> Iterator[list[str]]:
    """SQL statements that read the attachments table, while the block runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM attachments" in statement:
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def test_the_sweep_pages_through_more_files_than_a_page(
    storage: Storage, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession,
    make_user: UserFactory,
) -> None:
    owner = await make_user()
    parent = await f.event(session, START, owner_id=owner.id)
    kept = [new_key() for _ in range(8)]
    session.add_all([Attachment(event_id=parent.id, filename="a.png", content_type="image/png", size_bytes=1,
                                sha256="0" * 64, storage_key=key, is_photo=True, has_thumbnail=True) for key in kept])
    await session.flush()
    orphans = [new_key() for _ in range(13)]
    for key in kept:
        await storage.put(key, b"photo")
        await storage.put(thumbnail_key(key), b"thumbnail")
    for key in orphans:
        await storage.put(key, b"never committed")
    total = len(kept) * 2 + len(orphans)  # 29 files: three pages of 10
    counted = CountingStorage(storage)
    ctx: dict[str, Any] = {"sessionmaker": sessionmaker, "storage": counted}

    ctx["clock"] = lambda: datetime.now(UTC)
    assert await sweep_orphan_files(ctx, page_size=PAGE) == 0  # all younger than the grace period

    ctx["clock"] = lambda: datetime.now(UTC) + GRACE + timedelta(minutes=5)
    counted.list_calls = 0
    with attachment_lookups(engine) as lookups:
        removed = await sweep_orphan_files(ctx, page_size=PAGE)

    assert removed == len(orphans)
    pages_needed = -(-total // PAGE)
    assert (counted.list_calls, len(lookups), counted.largest_page) == (pages_needed, pages_needed, PAGE)
    assert counted.delete_calls <= pages_needed
    left = sorted([f.key async for page in pages(storage, PAGE) for f in page])
    assert left == sorted([*kept, *(thumbnail_key(k) for k in kept)])
