"""Scheduled: delete published change-log rows older than the retention period.

A subscriber resuming with a cursor older than that gets a VALIDATION error
("refetch, then subscribe") instead of a silent gap. Rows the relay has not
published yet are never deleted.
"""
from __future__ import annotations

from datetime import timedelta

import structlog

from db.queries.change_log import prune_published_before
from jobs.context import JobCtx, now, sessionmaker_of
from server.settings import get_settings

log = structlog.get_logger(__name__)


async def prune_change_log(ctx: JobCtx) -> int:
    """``ctx``: ``sessionmaker``, optionally ``settings`` and ``clock`` (as every job gets)."""
    settings = ctx.get("settings") or get_settings()
    cutoff = now(ctx) - timedelta(days=settings.change_log_retention_days)
    async with sessionmaker_of(ctx)() as session:
        deleted = await prune_published_before(session, cutoff)
        await session.commit()
    log.info("change_log.pruned", deleted=deleted, cutoff=cutoff.isoformat())
    return deleted
