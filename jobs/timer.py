"""Runs the cron schedule in-process when there is no Redis (embedded defaults).

The same arq ``CronJob`` definitions decide when each job is due; jobs run one
at a time on this event loop, with the in-process queue's ``ctx``.
"""
from __future__ import annotations

import asyncio
from contextlib import suppress
from datetime import datetime
from typing import Any

from arq.cron import CronJob

from jobs.queue import run_with_retries


class CronTimer:
    def __init__(self, ctx: dict[str, Any], jobs: list[CronJob]) -> None:
        self.ctx = ctx
        self.jobs = jobs
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="almanac-cron-timer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run_due(self, moment: datetime) -> list[str]:
        """Run every job whose time has come (arq's own naive local clock); returns their names."""
        ran = []
        for job in self.jobs:
            if job.next_run is not None and job.next_run <= moment:
                ran.append(job.name)
                # Retries (arq.Retry from transient failures) run inline: at most ~75 s of backoff.
                await run_with_retries(self.ctx, job.name, job.coroutine)
                job.calculate_next(moment)
        return ran

    async def _loop(self) -> None:
        start = datetime.now()
        for job in self.jobs:
            job.calculate_next(start)
            if job.run_at_startup:
                job.next_run = start
        while True:
            await self.run_due(datetime.now())
            upcoming = min((j.next_run for j in self.jobs if j.next_run is not None), default=None)
            delay = 60.0 if upcoming is None else (upcoming - datetime.now()).total_seconds()
            await asyncio.sleep(min(max(delay, 0.05), 60.0))
