"""Engine and session factories.

No pre-ping: on asyncpg it is BEGIN, an empty query and ROLLBACK (three round trips) on
every checkout. A connection that died is found when a statement fails on it (SQLAlchemy
then invalidates the pool), and ``pool_recycle`` bounds how old a connection gets.

Pure reads (GraphQL queries) take their sessions from ``make_read_sessionmaker``: the same
pool in autocommit, so PostgreSQL runs each SELECT in its own implicit transaction and the
request sends no BEGIN and no ROLLBACK.

JIT off: the access-policy predicates (EXISTS subplans per row) make PostgreSQL's cost
estimates huge (1.5 million for a 1,000-card board over 60,000 tasks), far past
``jit_above_cost``, so every board statement spent ~1.3 s compiling code for a query
that runs in 1-70 ms. Almanac's statements are short OLTP reads; none gains from JIT.
"""
from __future__ import annotations

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from db.statements import CountingConnection

POOL_RECYCLE_SECONDS = 1800


def make_engine(
    database_url: str, *, pool_size: int = 5, max_overflow: int = 3, pool_timeout: float = 10.0
) -> AsyncEngine:
    return create_async_engine(
        database_url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        pool_recycle=POOL_RECYCLE_SECONDS,
        pool_pre_ping=False,
        connect_args={
            "server_settings": {"timezone": "UTC", "application_name": "almanac", "jit": "off"},
            "connection_class": CountingConnection,  # BEGIN/COMMIT/ROLLBACK reach /metrics too
        },
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def make_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for read-only work: autocommit, so no transaction statements at all."""
    return async_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"),
                              expire_on_commit=False, autoflush=False)
