"""What ``almanac serve`` starts for the embedded default, and stops again in reverse order.

- PostgreSQL without ``DATABASE_URL`` (``server.embedded``): started, migrated, seeded.
- Redis without ``REDIS_URL`` (``server.embedded_redis``): its URL is put into this
  process's settings and environment, so the uvicorn worker processes (which read
  their settings anew) share subscription events, rate limits and the job queue.
- With the embedded Redis, an arq worker (``almanac worker``) as a child process:
  the jobs and the cron schedule then run exactly as in a deployment. Without it,
  a configured Redis has its own ``almanac worker`` processes (README, Production).

The worker is told to stop when this process dies (SIGKILL included, via Linux's
parent-death signal), and is stopped first on a clean exit, while Redis still answers.
"""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from dataclasses import dataclass

import structlog

from server.settings import Settings

log = structlog.get_logger(__name__)

WORKER_STOP_DEADLINE_S = 30.0


@dataclass(slots=True)
class EmbeddedServices:
    settings: Settings
    database: bool = False
    redis: bool = False
    worker: subprocess.Popen[bytes] | None = None

    def stop(self) -> None:
        """Worker, then Redis, then PostgreSQL: each still has what it needs while it stops."""
        if self.worker is not None:
            stop_worker(self.worker)
            self.worker = None
        if self.redis:
            from server.embedded_redis import release_redis

            release_redis(self.settings.data_dir)
            self.redis = False
        if self.database:
            from server.embedded import release_database

            asyncio.run(release_database(self.settings))
            self.database = False


def start_services(settings: Settings) -> EmbeddedServices:
    """Start what the settings leave to the embedded default; ``settings`` then names them."""
    services = EmbeddedServices(settings)
    try:
        database_url = settings.database_url
        if not database_url:
            from server.embedded import resolve_database_url

            database_url = asyncio.run(resolve_database_url(settings))
            services.database = True
        if not settings.redis_url:
            from server.embedded_redis import acquire_redis

            settings.redis_url = acquire_redis(settings.data_dir)
            os.environ["REDIS_URL"] = settings.redis_url  # for the worker processes uvicorn spawns
            services.redis = True
            services.worker = start_worker(database_url)
    except BaseException:
        services.stop()
        raise
    return services


def die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the parent dies (Linux only; elsewhere a no-op)."""
    if sys.platform != "linux":
        return
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)  # this process's libc


def start_worker(database_url: str) -> subprocess.Popen[bytes]:
    """``almanac worker`` on the embedded Redis, reading the embedded database by its URL.

    Given the URL, the worker neither joins the cluster's handle list nor re-runs the
    migration and seed checks: this process holds the cluster for both of them.
    """
    env = {**os.environ, "DATABASE_URL": database_url}
    worker = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "worker"], env=env, stdin=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C reaches almanac serve, which stops the worker in order
        preexec_fn=die_with_parent,
    )
    log.info("embedded_worker.started", pid=worker.pid)
    return worker


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)  # arq finishes or cancels its jobs and exits
        try:
            worker.wait(timeout=WORKER_STOP_DEADLINE_S)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    log.info("embedded_worker.stopped", pid=worker.pid, code=worker.returncode)
