"""The feed version (``server.feed_cache.data_version``) changes with every committed change, whatever
order the writers took their ids in and whatever the prune job deleted: otherwise a calendar client
keeps getting 304 for a calendar that changed."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.enums import ChangeOp
from db.models import ChangeLog
from db.queries.change_log import number_pending, set_published_watermark
from jobs.prune_change_log import prune_change_log
from server.feed_cache import data_version

PROBE = "FeedVersionProbe"


def probe(entity_id: int, *, created_at: datetime | None = None) -> ChangeLog:
    row = ChangeLog(entity_type=PROBE, entity_id=entity_id, op=ChangeOp.CREATED, payload={})
    if created_at is not None:
        row.created_at = created_at
    return row


@pytest.fixture
async def probes(committed_sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[None]:
    yield
    async with committed_sessionmaker() as session:
        await session.execute(text(f"DELETE FROM change_log WHERE entity_type = '{PROBE}'"))
        await session.commit()


async def version(maker: async_sessionmaker[AsyncSession]) -> str:
    async with maker() as session:
        return await data_version(session)


async def number_and_publish(engine: AsyncEngine) -> None:
    """What the relay does: number the committed rows, then record them as published (never moving
    the mark back: the run's live relay, when one is up, may have published further)."""
    async with engine.connect() as conn:
        await number_pending(conn, limit=1000)
        async with conn.begin():
            head = await conn.scalar(text(
                "SELECT greatest(max(position), (SELECT last_value FROM change_log_published_seq)) FROM change_log"))
        await set_published_watermark(conn, int(head))


@pytest.mark.usefixtures("probes")
async def test_a_writer_that_took_a_lower_id_and_commits_last_changes_the_version(
    committed_sessionmaker: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    # given writer A takes the lower id, writer B a higher one and commits first, and a reader then
    async with committed_sessionmaker() as early, committed_sessionmaker() as late:
        early.add(probe(1))
        await early.flush()
        late.add(probe(2))
        await late.commit()
        seen = await version(committed_sessionmaker)
        # when A commits
        await early.commit()
    # then the version is not the one the reader saw, nor once the relay numbered both rows
    # (a live relay of the run may number them meanwhile: each version is compared with the seen one)
    after_commit = await version(committed_sessionmaker)
    await number_and_publish(engine)
    numbered = await version(committed_sessionmaker)
    assert seen not in (after_commit, numbered)


@pytest.mark.usefixtures("probes")
async def test_pruning_never_takes_the_version_back_to_one_a_reader_saw(
    committed_sessionmaker: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    # given a numbered change, the version a reader saw then, and a change numbered after it whose
    # transaction began (created_at) long before: it committed last but looks oldest
    async with committed_sessionmaker() as session:
        session.add(probe(1))
        await session.commit()
    await number_and_publish(engine)
    seen = await version(committed_sessionmaker)
    async with committed_sessionmaker() as session:
        session.add(probe(2, created_at=datetime.now(UTC) - timedelta(days=30)))
        await session.commit()
    await number_and_publish(engine)
    # when the prune job runs with the default 7-day retention
    await prune_change_log({"sessionmaker": committed_sessionmaker})
    # then the version still differs from the one the reader saw: the calendar changed since
    assert await version(committed_sessionmaker) != seen
