"""``/metrics`` counts every statement PostgreSQL receives, checked against ``pg_stat_statements``.

A private cluster (``tests/pg_cluster.py``) preloads pg_stat_statements; the app runs there as a
role of its own, so the server's tally can be compared with PostgreSQL's count of that role's
statements: data statements, BEGIN/COMMIT/ROLLBACK, sign-in lookups, the change-log relay woken by
a commit. The tally is the process's, so the app runs as ``almanac serve`` in a process of its
own, as in production: in the test process, whatever else runs there (tests/realtime's live
server polls its change log every 0.5 s for the whole session) was counted too.
"""
from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx

from db.enums import Role
from db.models import User
from server.auth import issue_token
from server.migrate import upgrade
from tests.conftest import DEFAULT_PASSWORD, REDIS_URL, SECRET, free_port, password_hash_for
from tests.pg_cluster import private_cluster

ALMANAC = str(Path(sys.executable).with_name("almanac"))
APP_ROLE = "almanac_app"
OPERATIONS = (
    "{ me { id name } }",
    "{ tasks(first: 5) { nodes { id title assignees { name } } } }",
    "{ communities(first: 3) { totalCount edges { node { name } } } }",
)
CREATE = "mutation($name: String!) { createCommunity(input: {name: $name}) { community { id } errors { code } } }"


def plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def statements_total(exposition: str) -> float:
    return sum(float(v) for v in re.findall(r'^almanac_sql_statements_total\{kind="\w+"\} (\S+)$', exposition, re.M))


async def app_role_calls(admin: asyncpg.Connection) -> int:
    return int(await admin.fetchval(
        "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements"
        " WHERE userid = $1::regrole AND dbid = (SELECT oid FROM pg_database WHERE datname = 'almanac')",
        APP_ROLE,
    ))


async def read(client: httpx.AsyncClient, token: str) -> None:
    for query in OPERATIONS:
        body = (await client.post("/graphql", json={"query": query},
                                  headers={"Authorization": f"Bearer {token}"})).json()
        assert "errors" not in body, body


async def transaction_statements(admin: asyncpg.Connection) -> int:
    return int(await admin.fetchval(
        "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE userid = $1::regrole"
        " AND (query ILIKE 'BEGIN%' OR query ILIKE 'COMMIT%' OR query ILIKE 'ROLLBACK%')", APP_ROLE))


async def work(client: httpx.AsyncClient, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    await read(client, token)
    created = (await client.post("/graphql", json={"query": CREATE, "variables": {"name": uuid.uuid4().hex}},
                                 headers=headers)).json()
    assert created["data"]["createCommunity"]["errors"] == [], created


async def scrape(client: httpx.AsyncClient) -> float:
    return statements_total((await client.get("/metrics")).text)


@contextmanager
def almanac_serve(database_url: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": REDIS_URL, "ALMANAC_SECRET_KEY": SECRET,
           "ALMANAC_REDIS_NAMESPACE": f"almanac-st-{uuid.uuid4().hex[:8]}", "ALMANAC_RATE_LIMIT": "off",
           "ALMANAC_RELAY_POLL_SECONDS": "3600", "ALMANAC_LOG_LEVEL": "WARNING"}
    process = subprocess.Popen([ALMANAC, "serve", "--port", str(port), "--workers", "1"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


async def wait_ready(client: httpx.AsyncClient, process: subprocess.Popen[bytes]) -> None:
    for _ in range(600):  # 60 s on a loaded machine
        assert process.poll() is None, "almanac serve exited"
        try:
            if (await client.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("almanac serve did not become ready")


async def test_metrics_count_every_statement_postgresql_receives() -> None:
    with private_cluster(free_port(), "shared_preload_libraries=pg_stat_statements",
                         "pg_stat_statements.track_utility=on") as admin_url:
        admin = await asyncpg.connect(plain(admin_url))
        await admin.execute(f"CREATE ROLE {APP_ROLE} LOGIN")
        await admin.execute(f"CREATE DATABASE almanac OWNER {APP_ROLE}")
        await admin.close()
        app_url = admin_url.replace("postgres@", f"{APP_ROLE}@").rsplit("/", 1)[0] + "/almanac"
        admin = await asyncpg.connect(plain(admin_url).rsplit("/", 1)[0] + "/almanac")
        try:
            await admin.execute("CREATE EXTENSION pg_stat_statements")
            await asyncio.to_thread(upgrade, app_url)
            user_id = await admin.fetchval(
                "INSERT INTO users (email, name, role, password_hash) VALUES ('a@example.org', 'Ada', $1, $2)"
                " RETURNING id", Role.ADMIN.value, password_hash_for(DEFAULT_PASSWORD))
            token = issue_token(user_id, SECRET, ttl_minutes=10)
            port = free_port()
            with almanac_serve(app_url, port) as server:
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                    await wait_ready(client, server)
                    await work(client, token)  # warm: connections opened, types introspected
                    await asyncio.sleep(0.3)  # the relay's wake-up after the commit has run
                    await admin.execute("SELECT pg_stat_statements_reset()")
                    await read(client, token)
                    reads_in_transactions = await transaction_statements(admin)
                    before = await scrape(client)
                    await admin.execute("SELECT pg_stat_statements_reset()")
                    for _ in range(3):
                        await work(client, token)
                    await asyncio.sleep(0.3)
                    counted = await scrape(client) - before
                    received = await app_role_calls(admin)
        finally:
            await admin.close()
    assert reads_in_transactions == 0  # queries run in autocommit: no BEGIN/ROLLBACK round trips
    assert counted == received, f"/metrics counted {counted:.0f}, PostgreSQL received {received}"
    assert received >= 3 * (len(OPERATIONS) + 3)  # at least the data statements and a BEGIN/COMMIT per write


async def test_the_user_table_is_the_one_the_test_writes() -> None:
    """Guard for the raw INSERT above: the ORM's table and columns are still these."""
    assert User.__tablename__ == "users"
    assert {"email", "name", "role", "password_hash"} <= set(User.__table__.columns.keys())
