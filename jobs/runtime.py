"""The job machinery a server process owns: arq with Redis, in-process without.

``start_jobs`` is called from the app's lifespan; its ``queue`` is what
``jobs.queue.enqueue`` finds in ``state.extras["job_queue"]``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from arq import create_pool
from arq.connections import RedisSettings
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobs.context import job_ctx
from jobs.queue import ArqJobQueue, InProcessJobQueue, JobQueue
from jobs.schedule import cron_jobs
from jobs.timer import CronTimer
from jobs.worker import queue_name
from server.mailer import Mailer
from server.settings import Settings


@dataclass(slots=True)
class JobRuntime:
    queue: JobQueue
    pool: Any = None  # arq.connections.ArqRedis with Redis
    timer: CronTimer | None = None

    async def stop(self) -> None:
        if self.timer is not None:
            await self.timer.stop()
        if isinstance(self.queue, InProcessJobQueue):
            await self.queue.drain()
        if self.pool is not None:
            await self.pool.aclose()


async def start_jobs(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> JobRuntime:
    if settings.redis_url:
        pool = await create_pool(RedisSettings.from_dsn(settings.redis_url),
                                 default_queue_name=queue_name(settings))
        return JobRuntime(queue=ArqJobQueue(pool), pool=pool)
    ctx = job_ctx(sessionmaker, Mailer.from_url(settings.smtp_url, settings.mail_from), settings)
    timer = CronTimer(ctx, cron_jobs())
    timer.start()
    return JobRuntime(queue=InProcessJobQueue(ctx), timer=timer)
