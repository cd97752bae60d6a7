"""Attachment files the database no longer (or never) refers to are removed from storage.

``delete_attachment_files`` runs right after ``deleteAttachment``; ``sweep_orphan_files``
runs hourly and catches the rest: files of parents deleted with their attachments (the
rows go by ON DELETE CASCADE), uploads whose transaction never committed, and partial
writes of a crashed process. A file younger than ``GRACE`` is left alone: its upload
may still be about to commit. Both work on either storage backend (``server/storage.py``).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import structlog
from sqlalchemy import select

from db.models import Attachment
from jobs.context import JobCtx, now, sessionmaker_of
from server.settings import Settings, get_settings
from server.storage import LIST_PAGE_SIZE, Storage, StoredFile, pages, storage_from

log = structlog.get_logger(__name__)

GRACE = timedelta(hours=1)
LOOKUP_BATCH = 1000
THUMBNAIL_SUFFIX = ".thumb"


def storage_of(ctx: JobCtx) -> Storage:
    storage: Storage | None = ctx.get("storage")
    if storage is not None:
        return storage
    settings: Settings = ctx.get("settings") or get_settings()
    return storage_from(settings)


def owning_key(key: str) -> str | None:
    """The attachment key a stored file belongs to; None for a partial write."""
    name = key.rsplit("/", 1)[-1]
    if name.startswith(".") and name.endswith(".partial"):
        return None
    return key.removesuffix(THUMBNAIL_SUFFIX)


async def referenced_keys(ctx: JobCtx, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` an attachment row refers to: one statement per ``LOOKUP_BATCH`` keys."""
    found: set[str] = set()
    async with sessionmaker_of(ctx)() as session:
        for start in range(0, len(keys), LOOKUP_BATCH):
            batch = list(keys[start:start + LOOKUP_BATCH])
            found.update(await session.scalars(select(Attachment.storage_key).where(Attachment.storage_key.in_(batch))))
    return found


async def delete_attachment_files(ctx: JobCtx, key: str) -> None:
    if await referenced_keys(ctx, [key]):
        return  # a row still points at it (should not happen: keys are never reused)
    await storage_of(ctx).delete_many([key, key + THUMBNAIL_SUFFIX])


async def sweep_orphan_files(ctx: JobCtx, *, page_size: int = LIST_PAGE_SIZE) -> int:
    """Delete stored files older than ``GRACE`` that no attachment row refers to; returns how many.

    Pages through storage in key order: per page of ``page_size`` files, one lookup statement
    and one delete request, whatever the store holds."""
    storage = storage_of(ctx)
    cutoff = now(ctx) - GRACE
    removed = 0
    async for page in pages(storage, page_size):
        removed += await _sweep_page(ctx, storage, [f for f in page if f.modified_at < cutoff])
    if removed:
        log.info("attachments.orphans_removed", count=removed)
    return removed


async def _sweep_page(ctx: JobCtx, storage: Storage, old: list[StoredFile]) -> int:
    owners = {f.key: owning_key(f.key) for f in old}
    wanted = sorted({k for k in owners.values() if k is not None})
    alive = await referenced_keys(ctx, wanted) if wanted else set()
    orphans = [f.key for f in old if owners[f.key] not in alive]
    if orphans:
        await storage.delete_many(orphans)
    return len(orphans)
