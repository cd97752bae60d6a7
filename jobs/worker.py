"""The arq worker (``almanac worker``): every registered job plus the cron schedule.

``WorkerSettings`` also works with arq's own CLI (``arq jobs.worker.WorkerSettings``);
``run_worker(settings)`` is what the ``almanac`` CLI calls.
"""
from __future__ import annotations

from typing import Any

import structlog
from arq import run_worker as arq_run_worker
from arq.connections import RedisSettings
from arq.worker import Function, func

from db.engine import make_engine, make_sessionmaker
from jobs.registry import JOBS
from jobs.retry import MAX_TRIES
from jobs.schedule import cron_jobs
from server.mailer import Mailer
from server.settings import Settings, get_settings

log = structlog.get_logger(__name__)

JOB_TIMEOUT_SECONDS = 300


def queue_name(settings: Settings) -> str:
    """Per namespace, so several deployments (or test runs) can share one Redis."""
    return f"{settings.redis_namespace}:arq:queue"


def functions() -> list[Function]:
    return [func(job, name=name) for name, job in JOBS.items()]


async def startup(ctx: dict[str, Any]) -> None:
    from server.embedded import resolve_database_url

    settings: Settings = ctx.get("settings") or get_settings()
    engine = make_engine(await resolve_database_url(settings), pool_size=5)
    ctx.update(settings=settings, engine=engine, sessionmaker=make_sessionmaker(engine),
               mailer=Mailer.from_url(settings.smtp_url, settings.mail_from))
    log.info("worker.started", queue=queue_name(settings), smtp=bool(settings.smtp_url))


async def shutdown(ctx: dict[str, Any]) -> None:
    engine = ctx.get("engine")
    if engine is not None:
        await engine.dispose()


class WorkerSettings:
    functions = functions()
    cron_jobs = cron_jobs()
    on_startup = startup
    on_shutdown = shutdown
    max_tries = MAX_TRIES
    job_timeout = JOB_TIMEOUT_SECONDS
    keep_result = 3600


def run_worker(settings: Settings) -> None:
    if not settings.redis_url:
        raise SystemExit(
            "almanac: REDIS_URL is not set. Without it `almanac serve` runs its own Redis and "
            "worker; set REDIS_URL to run workers of a deployment."
        )
    arq_run_worker(
        WorkerSettings,  # type: ignore[arg-type]
        redis_settings=RedisSettings.from_dsn(settings.redis_url),
        queue_name=queue_name(settings),
        ctx={"settings": settings},
    )
