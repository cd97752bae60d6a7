"""Numbering, reading and pruning the change log (the source of subscriptions).

Positions are handed out only by the relay leader (one process at a time holds
``RELAY_LOCK_KEY``), in transactions that commit one after the other, so a
position becomes visible only after every smaller position is visible: a reader
that has seen position P has seen everything below P, and a cursor never skips
a row that committed late (that row simply gets a later position).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db.models import ChangeLog

# pg_advisory_lock key of the relay leader: "almanac change_log relay" folded into a bigint.
RELAY_LOCK_KEY = 0x616C6D616E616301
WAKE_CHANNEL = "almanac_change_log"

_NUMBER_PENDING = text(
    """
    UPDATE change_log AS c
       SET position = n.position
      FROM (SELECT id, nextval('change_log_position_seq') AS position
              FROM (SELECT id FROM change_log
                     WHERE position IS NULL
                     ORDER BY id
                     LIMIT :limit
                     FOR UPDATE) AS pending
             ORDER BY id) AS n
     WHERE c.id = n.id
    """
)

CHANGE_COLUMNS = (
    ChangeLog.position, ChangeLog.id, ChangeLog.entity_type, ChangeLog.entity_id, ChangeLog.op,
    ChangeLog.payload, ChangeLog.actor_id, ChangeLog.created_at,
    ChangeLog.audience_scope, ChangeLog.audience_user_ids, ChangeLog.audience_roles,
    ChangeLog.former_scope, ChangeLog.former_user_ids, ChangeLog.former_roles,
)


async def try_become_leader(conn: AsyncConnection) -> bool:
    """Take the session-level relay lock on this (dedicated) connection, without waiting."""
    async with conn.begin():
        return bool(await conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": RELAY_LOCK_KEY}))


async def number_pending(conn: AsyncConnection, *, limit: int) -> int:
    """Give the next positions to committed, unnumbered rows (oldest id first); commits."""
    async with conn.begin():
        result = await conn.execute(_NUMBER_PENDING, {"limit": limit})
    return int(result.rowcount or 0)


async def published_watermark(conn: AsyncConnection) -> int:
    """The highest position already published (the relay's restart point)."""
    async with conn.begin():
        return int(await conn.scalar(text("SELECT last_value FROM change_log_published_seq")) or 0)


async def set_published_watermark(conn: AsyncConnection, position: int) -> None:
    async with conn.begin():
        await conn.execute(text("SELECT setval('change_log_published_seq', :p)"), {"p": position})


async def numbered_after(conn: AsyncConnection, position: int, *, limit: int) -> list[dict[str, Any]]:
    """Committed, numbered rows after ``position``, in position order, as plain dicts."""
    stmt = (
        select(*CHANGE_COLUMNS)
        .where(ChangeLog.position > position)
        .order_by(ChangeLog.position)
        .limit(limit)
    )
    async with conn.begin():
        rows = (await conn.execute(stmt)).mappings().all()
    return [dict(row) for row in rows]


async def changes_after(
    session: AsyncSession, position: int, *, limit: int, including: bool = False
) -> list[dict[str, Any]]:
    """The same read through a session (replay for resuming subscribers). ``including``: the row at
    ``position`` too, so one statement both tells whether a cursor is still in the log and reads on."""
    stmt = (
        select(*CHANGE_COLUMNS)
        .where(ChangeLog.position >= position if including else ChangeLog.position > position)
        .order_by(ChangeLog.position)
        .limit(limit)
    )
    return [dict(row) for row in (await session.execute(stmt)).mappings().all()]


HEAD_POSITION = select(func.coalesce(func.max(ChangeLog.position), 0))


async def head_position(session: AsyncSession) -> int:
    """The highest position numbered so far (0: none): the change log's version."""
    return int(await session.scalar(HEAD_POSITION) or 0)


async def position_exists(session: AsyncSession, position: int) -> bool:
    """Whether a cursor still points at a row (False once pruning removed it)."""
    found = await session.scalar(select(ChangeLog.id).where(ChangeLog.position == position).limit(1))
    return found is not None


async def prune_published_before(session: AsyncSession, cutoff: datetime) -> int:
    """Delete published rows created before ``cutoff``; rows not yet published are kept, and so is
    the row with the highest position: ``max(position)`` is the change log's version (feed ETags,
    a new webhook's start), and it must never go back to a value a reader saw before other rows
    were numbered. ``created_at`` is when a transaction began, not when it committed, so the newest
    position may be the oldest row."""
    published = text("(SELECT last_value FROM change_log_published_seq)")
    newest = text("(SELECT max(position) FROM change_log)")
    result = await session.execute(
        delete(ChangeLog).where(ChangeLog.created_at < cutoff, ChangeLog.position <= published,
                                ChangeLog.position < newest)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
