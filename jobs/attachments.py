"""Attachment files the database no longer (or never) refers to are removed from storage.

``delete_attachment_files`` runs right after ``deleteAttachment``; ``sweep_orphan_files``
runs hourly and catches the rest: files of parents deleted with their attachments (the
rows go by ON DELETE CASCADE), uploads whose transaction never committed, and partial
writes of a crashed process. A file younger than ``GRACE`` is left alone: its upload
may still be about to commit.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import structlog
from sqlalchemy import select

from db.models import Attachment
from jobs.context import JobCtx, now, sessionmaker_of
from server.settings import Settings, get_settings
from server.storage import Storage, StoredFile, storage_from

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
    found: set[str] = set()
    async with sessionmaker_of(ctx)() as session:
        for start in range(0, len(keys), LOOKUP_BATCH):
            batch = list(keys[start:start + LOOKUP_BATCH])
            found.update(await session.scalars(select(Attachment.storage_key).where(Attachment.storage_key.in_(batch))))
    return found


async def delete_attachment_files(ctx: JobCtx, key: str) -> None:
    if await referenced_keys(ctx, [key]):
        return  # a row still points at it (should not happen: keys are never reused)
    storage = storage_of(ctx)
    await storage.delete(key)
    await storage.delete(key + THUMBNAIL_SUFFIX)


async def sweep_orphan_files(ctx: JobCtx) -> int:
    """Delete stored files older than ``GRACE`` that no attachment row refers to; returns how many."""
    storage = storage_of(ctx)
    cutoff = now(ctx) - GRACE
    old: list[StoredFile] = [f for f in await storage.list_files() if f.modified_at < cutoff]
    owners = {f.key: owning_key(f.key) for f in old}
    alive = await referenced_keys(ctx, sorted({k for k in owners.values() if k is not None}))
    orphans = [f.key for f in old if owners[f.key] not in alive]
    for key in orphans:
        await storage.delete(key)
    if orphans:
        log.info("attachments.orphans_removed", count=len(orphans))
    return len(orphans)
