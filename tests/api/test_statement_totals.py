"""``/metrics`` counts every statement PostgreSQL receives, checked against ``pg_stat_statements``.

A private cluster (``tests/pg_cluster.py``) preloads pg_stat_statements; the app runs on
its own engine there as a role of its own, so the server's tally can be compared with
PostgreSQL's count of that role's statements: data statements, BEGIN/COMMIT/ROLLBACK,
sign-in lookups, the change-log relay woken by a commit.
"""
from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import asyncpg
import httpx

from db.enums import Role
from db.models import User
from server.app import create_app
from server.auth import issue_token
from server.migrate import upgrade
from server.settings import Settings
from tests.conftest import DEFAULT_PASSWORD, SECRET, free_port, password_hash_for
from tests.pg_cluster import private_cluster

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
            settings = Settings(DATABASE_URL=app_url, ALMANAC_SECRET_KEY=SECRET, ALMANAC_RATE_LIMIT="off",
                                ALMANAC_RELAY_POLL_SECONDS=3600)
            app: Any = create_app(settings)
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
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
