"""Job fixtures: a real SMTP sink (aiosmtpd), a movable clock, committed data with cleanup,
and an arq burst worker on a queue of its own in the real Redis."""
from __future__ import annotations

import email
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Worker
from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import Role
from db.models import ChangeLog, Event, Notification, Task, TaskTemplate, Team, User
from jobs.context import JobCtx
from jobs.worker import functions
from server.mailer import Mailer, SmtpSettings
from tests.conftest import DEFAULT_PASSWORD, REDIS_URL, free_port, password_hash_for


class SmtpSink:
    """Collects delivered messages; ``fail_next`` makes the next N answer 451."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.fail_next = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.fail_next > 0:
            self.fail_next -= 1
            return "451 4.3.0 Try again later"
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"


@dataclass
class Smtp:
    sink: SmtpSink
    port: int

    def mailer(self) -> Mailer:
        return Mailer(SmtpSettings("127.0.0.1", self.port, start_tls=False, timeout=5), "almanac@test.example")


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield Smtp(sink, port)
    finally:
        controller.stop()


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@dataclass
class Scratch:
    """Rows committed by a test, deleted at its end (users cascade to notifications)."""

    maker: async_sessionmaker[AsyncSession]
    user_ids: list[int] = field(default_factory=list)
    team_ids: list[int] = field(default_factory=list)
    template_ids_before: set[int] = field(default_factory=set)

    async def user(self, role: Role = Role.STAFF, *, timezone: str = "UTC") -> User:
        async with self.maker() as session:
            suffix = uuid.uuid4().hex[:10]
            user = User(email=f"jobs-{suffix}@example.org", name=f"Jobs {suffix}", role=role,
                        password_hash=password_hash_for(DEFAULT_PASSWORD), timezone=timezone)
            session.add(user)
            await session.commit()
        self.user_ids.append(user.id)
        return user

    async def add(self, *rows: Any) -> None:
        async with self.maker() as session:
            session.add_all(rows)
            await session.commit()
        for row in rows:
            if isinstance(row, Team):
                self.team_ids.append(row.id)

    async def cleanup(self) -> None:
        """Also removes what the quarterly scheduler generated (tasks, a default template)."""
        async with self.maker() as session:
            mine = select(Event.id).where(or_(Event.owner_id.in_(self.user_ids), Event.team_id.in_(self.team_ids)))
            await session.execute(delete(Task).where(Task.event_id.in_(mine)))
            await session.execute(delete(TaskTemplate).where(TaskTemplate.id.not_in(self.template_ids_before)))
            if self.user_ids:
                await session.execute(delete(Event).where(Event.owner_id.in_(self.user_ids)))
                mine = [str(i) for i in self.user_ids]
                await session.execute(delete(ChangeLog).where(
                    ChangeLog.entity_type == "Notification", ChangeLog.payload["user_id"].astext.in_(mine)))
                await session.execute(delete(User).where(User.id.in_(self.user_ids)))
            if self.team_ids:
                await session.execute(delete(Event).where(Event.team_id.in_(self.team_ids)))
                await session.execute(delete(Team).where(Team.id.in_(self.team_ids)))
            await session.execute(delete(Notification).where(Notification.dedupe_key.like("test:%")))
            await session.commit()


@pytest.fixture
async def scratch(committed_sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[Scratch]:
    data = Scratch(committed_sessionmaker)
    async with committed_sessionmaker() as session:
        data.template_ids_before = set(await session.scalars(select(TaskTemplate.id)))
    yield data
    await data.cleanup()


@pytest.fixture
def job_ctx(committed_sessionmaker: async_sessionmaker[AsyncSession], smtp: Smtp, clock: Clock) -> JobCtx:
    return {"sessionmaker": committed_sessionmaker, "mailer": smtp.mailer(), "clock": clock}


BurstRunner = Callable[[], Awaitable[Worker]]


@pytest.fixture
async def arq_queue(job_ctx: JobCtx) -> AsyncIterator[tuple[Any, BurstRunner]]:
    """(pool to enqueue on, run a burst worker) for a queue name unique to this test."""
    queue = f"almanac-test-jobs-{uuid.uuid4().hex[:12]}"
    pool = await create_pool(RedisSettings.from_dsn(REDIS_URL), default_queue_name=queue)

    async def run_burst() -> Worker:
        worker_pool = await create_pool(RedisSettings.from_dsn(REDIS_URL), default_queue_name=queue)
        worker = Worker(
            functions=functions(), redis_pool=worker_pool, queue_name=queue, burst=True,
            handle_signals=False, poll_delay=0.05, keep_result=0, max_tries=5, ctx=dict(job_ctx),
        )
        try:
            await worker.main()
        finally:
            await worker.close()
        return worker

    try:
        yield pool, run_burst
    finally:
        keys = [key async for key in pool.scan_iter(match=f"{queue}*")]
        if keys:
            await pool.delete(*keys)
        await pool.aclose()
