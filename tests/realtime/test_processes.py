"""Across processes: two `almanac serve` processes on one database and one Redis;
and a server that stops closes its subscriptions with a proper close frame."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import websockets
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from db.enums import Role
from db.models import User
from server.auth import hash_password
from server.changes import encode_cursor
from server.migrate import upgrade
from tests.bare_machine import database_named
from tests.conftest import PG_ADMIN_URL, REDIS_URL, SECRET, _admin, free_port
from tests.realtime.conftest import (
    Committed,
    LiveServer,
    head_cursor,
    live_settings,
    post_graphql,
    start_live_server,
    subscribe,
    wait_subscribed,
)

TASK_CHANGED = "subscription ($after: String) { taskChanged(after: $after) { op task { title } } }"
CREATE_TASK = "mutation ($input: CreateTaskInput!) { createTask(input: $input) { errors { code } } }"
ALMANAC = str(Path(sys.executable).with_name("almanac"))


@pytest.fixture
async def scratch_database() -> AsyncIterator[str]:
    name = f"almanac_rt_{uuid.uuid4().hex[:10]}"
    await _admin(f'CREATE DATABASE "{name}"')
    url = database_named(PG_ADMIN_URL, name)
    try:
        await asyncio.to_thread(upgrade, url)
        yield url
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def wait_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(900):  # 90 s: two servers starting on a loaded CI machine
            assert process.poll() is None, "server process exited"
            try:
                if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("server did not become ready")


async def test_a_change_made_on_one_process_reaches_a_subscriber_of_another(scratch_database: str) -> None:
    # given two server processes on one database and one Redis, and a user
    engine: AsyncEngine = create_async_engine(scratch_database, poolclass=NullPool)
    async with engine.begin() as conn:
        user_id = (await conn.execute(User.__table__.insert().returning(User.__table__.c.id), {
            "email": "cross@example.org", "name": "Cross", "role": Role.STAFF.value,
            "password_hash": hash_password("correct horse battery"),
        })).scalar_one()
    await engine.dispose()
    user = User(id=user_id, email="cross@example.org", name="Cross", role=Role.STAFF)
    env = {**os.environ, "DATABASE_URL": scratch_database, "REDIS_URL": REDIS_URL, "ALMANAC_SECRET_KEY": SECRET,
           "ALMANAC_REDIS_NAMESPACE": f"almanac-rt-{uuid.uuid4().hex[:8]}", "ALMANAC_LOG_LEVEL": "WARNING"}
    ports = [free_port(), free_port()]
    # Popen returns at once: the servers run beside the test, which polls /readyz without blocking.
    processes = [subprocess.Popen([ALMANAC, "serve", "--port", str(port), "--workers", "1"], env=env,  # noqa: ASYNC220
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for port in ports]
    try:
        for port, process in zip(ports, processes, strict=True):
            await wait_ready(port, process)
        # when a subscriber on process A is registered and a task is created through process B
        # (after the start of the empty log: registration is asynchronous, the cursor makes it exact)
        sub = await subscribe(f"ws://127.0.0.1:{ports[0]}/graphql", user, TASK_CHANGED, {"after": encode_cursor(0)})
        created = await post_graphql(f"http://127.0.0.1:{ports[1]}/graphql", CREATE_TASK,
                                     {"input": {"title": "made on B"}}, user)
        assert created["data"]["createTask"]["errors"] == []
        # then A's subscriber receives it
        assert (await sub.data())["taskChanged"] == {"op": "CREATED", "task": {"title": "made on B"}}
        await sub.close()
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)


async def test_stopping_the_server_closes_subscriptions_with_a_close_frame(
    database_url: str, realtime_namespace: str, committed: Committed, engine: AsyncEngine
) -> None:
    # given a subscriber on a server of its own
    server: LiveServer = await start_live_server(live_settings(database_url, realtime_namespace))
    user = await committed.user()
    sub = await subscribe(server.ws_url, user, TASK_CHANGED)
    await wait_subscribed(server, set())
    # when the server shuts down
    stopping = asyncio.create_task(server.stop())
    # then the client gets a close frame (1012 service restart from uvicorn, or 1001 from the broker)
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(sub.ws.recv(), timeout=30)
    await stopping
    assert closed.value.rcvd is not None and closed.value.rcvd.code in {1001, 1012}
    assert await head_cursor(engine)
