"""Benchmark: 1,000 concurrent websocket subscribers on ONE server process.

Creates a scratch database on the local PostgreSQL, migrates it, starts one
`almanac serve` process (real Redis), opens N real graphql-transport-ws clients
subscribed to ``taskChanged``, then commits changes (a task update and its
change row, in one transaction, from this process) and measures, per change and
subscriber, the time from the commit returning to the message arriving. Prints
p50/p95/p99 and the server's resident memory per connection; cleans up and
stops by itself (localhost only, every wait bounded).

    .venv/bin/python bench/subscribers.py [--subscribers 1000] [--changes 20]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psutil
import websockets
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch import admin_sql, free_port  # noqa: E402 (needs ROOT on sys.path)
from server.auth import hash_password, issue_token  # noqa: E402
from server.migrate import upgrade  # noqa: E402

PG_ADMIN = os.environ.get("ALMANAC_BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("ALMANAC_BENCH_REDIS", "redis://127.0.0.1:6379/0")
SECRET = "bench-secret-key-with-enough-length-32b"
# permessage-deflate costs the server ~1 ms of CPU and ~100+ KiB per connection; browsers offer it.
COMPRESSION = None if os.environ.get("ALMANAC_BENCH_DEFLATE", "1") == "0" else "deflate"
QUERY = "subscription { taskChanged { cursor op taskId task { title status } } }"


class Client:
    def __init__(self) -> None:
        self.received: dict[str, float] = {}  # task title -> perf_counter at arrival
        self.ws: Any = None
        self.task: asyncio.Task[None] | None = None
        self.errors: list[str] = []
        self.close_code: int | None = None

    async def open(self, url: str, token: str) -> None:
        self.ws = await websockets.connect(url, subprotocols=["graphql-transport-ws"], open_timeout=30,  # type: ignore[list-item]
                                           ping_interval=None, compression=COMPRESSION)
        await self.ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        ack = json.loads(await asyncio.wait_for(self.ws.recv(), timeout=30))
        assert ack["type"] == "connection_ack", ack
        await self.ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": QUERY}}))
        self.task = asyncio.create_task(self.listen())

    async def listen(self) -> None:
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                if message.get("type") == "next" and not message["payload"].get("errors"):
                    title = message["payload"]["data"]["taskChanged"]["task"]["title"]
                    self.received[title] = time.perf_counter()
                else:
                    self.errors.append(raw)
        except websockets.ConnectionClosed as closed:
            self.close_code = closed.rcvd.code if closed.rcvd is not None else None

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            await asyncio.wait_for(self.task, timeout=10)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(subscribers: int, changes: int, interval: float) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * subscribers + 256)), hard))
    name = f"almanac_bench_{uuid.uuid4().hex[:8]}"
    await admin_sql(PG_ADMIN, f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    server: subprocess.Popen[bytes] | None = None
    clients: list[Client] = []
    try:
        await asyncio.to_thread(upgrade, url)
        engine = create_async_engine(url, poolclass=NullPool)
        async with engine.begin() as conn:
            user_id = (await conn.execute(text(
                "INSERT INTO users (email, name, role, password_hash, is_active) "
                "VALUES ('bench@example.org', 'Bench', 'STAFF', :h, true) RETURNING id"
            ), {"h": hash_password("correct horse battery")})).scalar_one()
            # one task per change, so the fresh task a change carries names that change
            task_ids = (await conn.execute(text(
                "INSERT INTO tasks (title) SELECT 'bench-' || i FROM generate_series(1, :n) AS i RETURNING id"
            ), {"n": changes})).scalars().all()
        token = issue_token(user_id, SECRET, ttl_minutes=60)
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "ALMANAC_SECRET_KEY": SECRET,
               "ALMANAC_REDIS_NAMESPACE": f"almanac-bench-{uuid.uuid4().hex[:6]}", "ALMANAC_LOG_LEVEL": "WARNING",
               "ALMANAC_RATE_LIMIT": "1000000/minute"}
        command = os.environ.get("ALMANAC_BENCH_SERVER", str(Path(sys.executable).with_name("almanac"))).split()
        # Popen returns at once (the server runs beside the benchmark); the child keeps the log file.
        log_file = open(os.environ.get("ALMANAC_BENCH_LOG", os.devnull), "wb")  # noqa: ASYNC230, SIM115
        server = subprocess.Popen([*command, "serve", "--port", str(port)],  # noqa: ASYNC220
                                  env=env, stdout=subprocess.DEVNULL, stderr=log_file)
        async with httpx.AsyncClient() as http:
            for _ in range(300):
                try:
                    if (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError("server did not start")
        process = psutil.Process(server.pid)
        await asyncio.sleep(1.0)
        rss_before = process.memory_info().rss

        ws_url = f"ws://127.0.0.1:{port}/graphql"
        opened = time.perf_counter()
        for offset in range(0, subscribers, 50):
            batch = [Client() for _ in range(min(50, subscribers - offset))]
            await asyncio.gather(*(c.open(ws_url, token) for c in batch))
            clients.extend(batch)
        print(f"opened {len(clients)} subscribers in {time.perf_counter() - opened:.1f} s", flush=True)
        await asyncio.sleep(2.0)  # let every subscription register with the broker
        rss_open = process.memory_info().rss

        commit_times: dict[str, float] = {}
        for index in range(1, changes + 1):
            title = f"bench-{index}"
            async with engine.begin() as conn:
                task_id = task_ids[index - 1]
                await conn.execute(text("UPDATE tasks SET status = 'IN_PROGRESS' WHERE id = :id"), {"id": task_id})
                await conn.execute(text(
                    "INSERT INTO change_log (entity_type, entity_id, op, payload, audience_scope) "
                    "VALUES ('Task', :id, 'UPDATED', CAST(:p AS jsonb), 1)"
                ), {"id": task_id, "p": json.dumps({"status": "IN_PROGRESS"})})
            commit_times[title] = time.perf_counter()
            await asyncio.sleep(interval)
        deadline = time.perf_counter() + 30
        # Polls other tasks' progress against a deadline; an Event per client would add nothing here.
        while time.perf_counter() < deadline and any(len(c.received) < changes for c in clients):  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        await engine.dispose()

        latencies: list[float] = []
        missing = 0
        for client in clients:
            for title, committed_at in commit_times.items():
                arrived = client.received.get(title)
                if arrived is None:
                    missing += 1
                else:
                    latencies.append((arrived - committed_at) * 1000)
        print(f"subscribers={len(clients)} changes={changes} deliveries={len(latencies)} missing={missing}")
        errors = [e for c in clients for e in c.errors]
        closed = [c.close_code for c in clients if c.close_code is not None]
        if errors or closed:
            print(f"errors={len(errors)} (first: {errors[0][:300] if errors else None}) closed={len(closed)} "
                  f"codes={sorted(set(closed))}")
        if latencies:
            print(f"commit-to-delivery ms: p50={percentile(latencies, 50):.1f} p95={percentile(latencies, 95):.1f} "
                  f"p99={percentile(latencies, 99):.1f} max={max(latencies):.1f} mean={statistics.mean(latencies):.1f}")
        print(f"server RSS: {rss_before / 2**20:.1f} MiB idle, {rss_open / 2**20:.1f} MiB with {len(clients)} "
              f"subscribers -> {(rss_open - rss_before) / max(1, len(clients)) / 1024:.1f} KiB per connection")
    finally:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        await admin_sql(PG_ADMIN, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between commits")
    args = parser.parse_args()
    if not 1 <= args.subscribers <= 5000 or not 1 <= args.changes <= 1000:
        parser.error("--subscribers must be 1..5000 and --changes 1..1000")
    asyncio.run(asyncio.wait_for(run(args.subscribers, args.changes, args.interval), timeout=600))


if __name__ == "__main__":
    main()
