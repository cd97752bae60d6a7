"""What every benchmark needs around it: SQL as the PostgreSQL admin (create/drop its scratch database), a free port."""
from __future__ import annotations

import socket

from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool


async def admin_sql(admin_url: str, sql: str) -> None:
    """Run ``sql`` outside a transaction (CREATE/DROP DATABASE) on a throwaway connection."""
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with engine.connect() as conn:
        await conn.exec_driver_sql(sql)
    await engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
