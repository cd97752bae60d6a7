"""Shared fixtures: a migrated test database per run, a rolled-back transaction per test.

Each test's work (including every GraphQL request it makes) runs inside one
outer transaction on one connection, with sessions joined through SAVEPOINTs
(SQLAlchemy's documented recipe), so tests are independent and order-free.
Tests that need real commits (races, several processes) use ``committed_sessionmaker``
and clean up after themselves.
"""
from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from db import statements
from db.enums import Role
from db.models import User
from server.auth import hash_password, issue_token
from server.migrate import upgrade
from server.settings import Settings
from tests.bare_machine import database_named, resolve

# The configured (or local default) services when they answer, else embedded ones (tests/bare_machine.py).
PG_ADMIN_URL, REDIS_URL = resolve(
    os.environ.get("ALMANAC_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"),
    os.environ.get("ALMANAC_TEST_REDIS", "redis://127.0.0.1:6379/0"),
)
# Several engineers' runs share one PostgreSQL (100 connections): one run's pool stays small.
TEST_POOL_SIZE, TEST_POOL_OVERFLOW = 2, 8
SECRET = "test-secret-key-with-enough-length-32b"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for servers a test starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _admin(sql: str) -> None:
    engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with engine.connect() as conn:
        await conn.exec_driver_sql(sql)
    await engine.dispose()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A fresh database for this test run, migrated to head, dropped at the end."""
    name = f"almanac_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    url = database_named(PG_ADMIN_URL, name)
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database_url, pool_size=TEST_POOL_SIZE, max_overflow=TEST_POOL_OVERFLOW)
    statements.install(engine.sync_engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as conn:
        transaction = await conn.begin()
        try:
            yield conn
        finally:
            await transaction.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    """Sessions joined to the test's outer transaction (commits become savepoints)."""
    return async_sessionmaker(
        bind=connection, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
async def session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


@pytest.fixture
def committed_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that really commit: for race tests. Clean up what you create."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        ALMANAC_SECRET_KEY=SECRET,
        ALMANAC_REDIS_NAMESPACE=f"almanac-test-{uuid.uuid4().hex[:8]}",
        # The execution-time budget charges wall-clock time: on a loaded CI machine a test that makes many
        # requests as one user used up 15 s a minute and got 429s. tests/security/test_cost_budget.py tests it.
        ALMANAC_TIME_BUDGET="off",
        # Answers are kept while the change log is unchanged; fixtures insert rows directly (no change
        # recorded), so a second read would be answered from before them. tests/speed/test_answer_cache.py
        # turns it on and changes data the way the product does.
        ALMANAC_ANSWER_CACHE_BYTES=0,
    )


@pytest.fixture
async def app(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], redis: Redis) -> AsyncIterator[Any]:
    from server.app import create_app

    application = create_app(settings, sessionmaker=sessionmaker, redis=Redis.from_url(REDIS_URL))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


UserFactory = Callable[..., Awaitable[User]]
DEFAULT_PASSWORD = "correct horse battery"
_DEFAULT_HASH: list[str] = []  # argon2 is slow on purpose: hash the default password once per run


def password_hash_for(password: str) -> str:
    if password != DEFAULT_PASSWORD:
        return hash_password(password)
    if not _DEFAULT_HASH:
        _DEFAULT_HASH.append(hash_password(DEFAULT_PASSWORD))
    return _DEFAULT_HASH[0]


@pytest.fixture
def make_user(session: AsyncSession) -> UserFactory:
    async def make(role: Role = Role.STAFF, *, name: str | None = None, email: str | None = None,
                   password: str = DEFAULT_PASSWORD) -> User:
        suffix = uuid.uuid4().hex[:8]
        user = User(
            email=email or f"user-{suffix}@example.org",
            name=name or f"User {suffix}",
            role=role,
            password_hash=password_hash_for(password),
        )
        session.add(user)
        await session.flush()
        return user

    return make


def token_for(user: User) -> str:
    return issue_token(user.id, SECRET, ttl_minutes=60)


GraphQL = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def gql(client: httpx.AsyncClient, session: AsyncSession) -> GraphQL:
    """POST a GraphQL operation, as ``user`` if given; returns the JSON body.

    The test session is flushed first so the app's sessions see its rows.
    """

    async def call(query: str, variables: dict[str, Any] | None = None, *, user: User | None = None) -> dict[str, Any]:
        await session.flush()
        headers = {"Authorization": f"Bearer {token_for(user)}"} if user is not None else {}
        response = await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return call
