"""Enqueue background jobs by name, with ids as arguments (never ORM objects).

With Redis configured the job goes to arq; without it (embedded defaults) it
runs in-process on the event loop. Resolvers call ``enqueue`` after commit.
"""
from __future__ import annotations

import asyncio
from typing import Any, Protocol

import structlog

log = structlog.get_logger(__name__)


class JobQueue(Protocol):
    async def enqueue(self, job_name: str, *args: Any, job_id: str | None = None) -> None: ...


class ArqJobQueue:
    def __init__(self, pool: Any) -> None:
        self.pool = pool  # arq.connections.ArqRedis

    async def enqueue(self, job_name: str, *args: Any, job_id: str | None = None) -> None:
        await self.pool.enqueue_job(job_name, *args, _job_id=job_id)


class InProcessJobQueue:
    """Runs jobs as asyncio tasks with the same ``ctx`` shape the arq worker gives."""

    def __init__(self, ctx: dict[str, Any]) -> None:
        self.ctx = ctx
        self._tasks: set[asyncio.Task[Any]] = set()

    async def enqueue(self, job_name: str, *args: Any, job_id: str | None = None) -> None:
        from jobs.registry import JOBS

        function = JOBS.get(job_name)
        if function is None:
            log.warning("jobs.unknown", job=job_name)
            return
        task = asyncio.create_task(self._run(job_name, function, args))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, job_name: str, function: Any, args: tuple[Any, ...]) -> None:
        await run_with_retries(self.ctx, job_name, function, args)

    async def drain(self) -> None:
        """Wait for running jobs (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


async def run_with_retries(ctx: dict[str, Any], job_name: str, function: Any, args: tuple[Any, ...] = ()) -> None:
    """Run a job like arq would: ``arq.Retry`` reruns it after its delay, up to ``MAX_TRIES``.

    Shared by the in-process queue and the in-process cron timer (no Redis)."""
    from arq import Retry

    from jobs.retry import MAX_TRIES

    for job_try in range(1, MAX_TRIES + 1):
        try:
            await function({**ctx, "job_try": job_try}, *args)
            return
        except Retry as retry:
            if job_try == MAX_TRIES:
                log.error("jobs.gave_up", job=job_name, tries=job_try)
                return
            await asyncio.sleep((retry.defer_score or 0) / 1000)
        except Exception:
            log.exception("jobs.failed", job=job_name)
            return


async def enqueue(ctx: Any, job_name: str, *args: Any, job_id: str | None = None) -> None:
    """Enqueue from a resolver context; a failure to enqueue is logged, never raised."""
    queue: JobQueue | None = getattr(getattr(ctx, "state", None), "extras", {}).get("job_queue")
    if queue is None:
        return
    try:
        await queue.enqueue(job_name, *args, job_id=job_id)
    except Exception:
        log.exception("jobs.enqueue_failed", job=job_name)
