"""Benchmark for issue 13's goals, with real graphql-transport-ws clients against `almanac serve`.

Scenarios (each creates a scratch database, starts its server process(es) with real
Redis, cleans up and stops by itself; localhost only, every wait bounded):

    fanout   N subscribers of `taskChanged` on ONE process, R changes/s for S seconds:
             commit-to-client p50/p95/p99, delivered/expected, SQL statements per change
    idle     N idle subscribers spread over P processes: server memory per connection
    calendar N `calendarChanged` subscribers over W distinct windows: server CPU per change
    storm    N subscribers disconnect, K changes commit, all reconnect at once with `after`:
             time until every one has caught up exactly (its changes, no more), server CPU and SQL
             statements spent; --users U distinct users (default 50), --cursors C distinct `after`

    .venv/bin/python bench/realtime_scale.py fanout --subscribers 1000 --rate 20 --seconds 60
    .venv/bin/python bench/realtime_scale.py fanout --clients light --client-processes 2
    .venv/bin/python bench/realtime_scale.py idle --subscribers 10000 --processes 2
    .venv/bin/python bench/realtime_scale.py calendar --subscribers 200 --windows 50 --changes 40
    .venv/bin/python bench/realtime_scale.py storm --subscribers 1000 --changes 20
    .venv/bin/python bench/realtime_scale.py storm --subscribers 1000 --changes 20 --field calendar --windows 5
    .venv/bin/python bench/realtime_scale.py storm --subscribers 1000 --changes 20 --field calendar --users 1000 --cursors 5

The clients do no JSON parsing on the hot path (they find the change's marker in the
raw frame). ``--clients light`` goes further (bench/light_client.py: frame headers read
by hand, no task per message), optionally in ``--client-processes`` worker processes,
so the clients' own share of commit-to-client can be told apart; the fanout scenario
also prints the server's own share from its ``/metrics`` (commit to offer, offer to
the last frame written, see server/fanout_metrics.py). On a shared 2-core machine,
read the printed load average alongside the figures.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psutil
import websockets
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.light_client import LightClient, latencies, open_light  # noqa: E402 (needs ROOT on sys.path)
from bench.scratch import admin_sql, free_port  # noqa: E402
from server.auth import hash_password, issue_token  # noqa: E402
from server.changes import encode_cursor  # noqa: E402
from server.migrate import upgrade  # noqa: E402

PG_ADMIN = os.environ.get("ALMANAC_BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("ALMANAC_BENCH_REDIS", "redis://127.0.0.1:6379/0")
SECRET = "bench-secret-key-with-enough-length-32b"
TASK_QUERY = "subscription ($after: String) { taskChanged(after: $after) { cursor op taskId task { title status } } }"
CALENDAR_QUERY = """subscription ($start: DateTime!, $end: DateTime!) {
  calendarChanged(start: $start, end: $end) { cursor op sourceId removedEntryIds entries { id title start } } }"""
CALENDAR_AFTER_QUERY = """subscription ($start: DateTime!, $end: DateTime!, $after: String) {
  calendarChanged(start: $start, end: $end, after: $after) { cursor op sourceId removedEntryIds entries { id title start } } }"""
STORM_QUERIES = {"task": TASK_QUERY, "calendar": CALENDAR_AFTER_QUERY}
MARKER = re.compile(rb'"title":"m(\d+)"')
STATEMENTS = re.compile(r'^almanac_sql_statements_total\{kind="(\w+)"\} ([0-9.e+]+)$', re.M)
GC_SECONDS = re.compile(r'^almanac_gc_seconds_total\{generation="(\d)"\} ([0-9.e+-]+)$', re.M)
LAG = re.compile(r'^almanac_fanout_(\w+)_seconds_bucket\{le="([^"]+)"\} ([0-9.e+]+)$', re.M)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} (2 cores, shared)"


# -- the environment: a scratch database, users, server processes ------------------------------
@dataclass
class Bench:
    url: str
    engine: AsyncEngine
    user_ids: list[int]
    ports: list[int] = field(default_factory=list)
    servers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def token(self, index: int) -> str:
        return issue_token(self.user_ids[index % len(self.user_ids)], SECRET, ttl_minutes=120)

    def process(self, index: int = 0) -> psutil.Process:
        return psutil.Process(self.servers[index].pid)

    async def metrics(self, index: int = 0) -> str:
        async with httpx.AsyncClient() as http:
            return (await http.get(f"http://127.0.0.1:{self.ports[index]}/metrics")).text

    async def statements(self, index: int = 0) -> int:
        return int(sum(float(v) for _, v in STATEMENTS.findall(await self.metrics(index))))

    async def gc_seconds(self, index: int = 0) -> list[float]:
        found = dict(GC_SECONDS.findall(await self.metrics(index)))
        return [float(found.get(str(g), 0.0)) for g in range(3)]

    async def lags(self, index: int = 0) -> dict[str, list[tuple[str, float]]]:
        """The server's fan-out latency histograms: name -> cumulative (bound, count)."""
        found: dict[str, list[tuple[str, float]]] = {}
        for name, bound, count in LAG.findall(await self.metrics(index)):
            found.setdefault(name, []).append((bound, float(count)))
        return found


@asynccontextmanager
async def bench_env(users: int, processes: int = 1) -> AsyncIterator[Bench]:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    name = f"almanac_bench_{uuid.uuid4().hex[:8]}"
    await admin_sql(PG_ADMIN, f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    engine = create_async_engine(url, poolclass=NullPool)
    bench: Bench | None = None
    try:
        await asyncio.to_thread(upgrade, url)
        async with engine.begin() as conn:
            user_ids = list((await conn.execute(text(
                "INSERT INTO users (email, name, role, password_hash, is_active) "
                "SELECT 'bench' || i || '@example.org', 'Bench ' || i, 'STAFF', :h, true "
                "FROM generate_series(1, :n) AS i RETURNING id"
            ), {"h": hash_password("correct horse battery"), "n": users})).scalars())
        bench = Bench(url=url, engine=engine, user_ids=user_ids)
        namespace = f"almanac-bench-{uuid.uuid4().hex[:6]}"
        for _ in range(processes):
            await start_server(bench, namespace)
        yield bench
    finally:
        for server in bench.servers if bench is not None else []:
            server.send_signal(signal.SIGTERM)
        for server in bench.servers if bench is not None else []:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        await engine.dispose()
        await admin_sql(PG_ADMIN, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def start_server(bench: Bench, namespace: str) -> None:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": bench.url, "REDIS_URL": REDIS_URL, "ALMANAC_SECRET_KEY": SECRET,
           "ALMANAC_REDIS_NAMESPACE": namespace, "ALMANAC_LOG_LEVEL": "WARNING",
           "ALMANAC_RATE_LIMIT": "1000000/minute", "ALMANAC_RELAY_POLL_SECONDS": "0.2",
           "ALMANAC_SUBSCRIBER_QUEUE_SIZE": "4096"}
    command = os.environ.get("ALMANAC_BENCH_SERVER", str(Path(sys.executable).with_name("almanac"))).split()
    log_file = open(os.environ.get("ALMANAC_BENCH_LOG", os.devnull), "ab")  # noqa: ASYNC230, SIM115 (child keeps it)
    server = subprocess.Popen([*command, "serve", "--port", str(port), "--workers", "1"],  # noqa: ASYNC220
                              env=env, stdout=subprocess.DEVNULL, stderr=log_file)
    bench.servers.append(server)
    bench.ports.append(port)
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            try:
                if (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("server did not start")


# -- clients -------------------------------------------------------------------------------------
class Client:
    __slots__ = ("arrived", "closed_code", "errors", "frames", "task", "ws")

    def __init__(self) -> None:
        self.arrived: dict[int, float] = {}  # marker -> perf_counter at arrival
        self.frames = 0
        self.errors: list[bytes] = []
        self.ws: Any = None
        self.task: asyncio.Task[None] | None = None
        self.closed_code: int | None = None

    async def open(self, port: int, token: str, query: str, variables: dict[str, Any]) -> None:
        self.ws = await websockets.connect(f"ws://127.0.0.1:{port}/graphql", subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                                           open_timeout=60, ping_interval=None, compression=None, max_queue=None)
        await self.ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        ack = json.loads(await asyncio.wait_for(self.ws.recv(), timeout=60))
        assert ack["type"] == "connection_ack", ack
        await self.ws.send(json.dumps({"id": "1", "type": "subscribe",
                                       "payload": {"query": query, "variables": variables}}))
        self.task = asyncio.create_task(self.listen())

    async def listen(self) -> None:
        try:
            while True:
                raw = await self.ws.recv(decode=False)
                self.frames += 1
                found = MARKER.search(raw)
                if found is not None:
                    self.arrived.setdefault(int(found.group(1)), time.perf_counter())
                elif b'"type":"next"' not in raw:
                    self.errors.append(raw[:300])
        except websockets.ConnectionClosed as closed:
            self.closed_code = closed.rcvd.code if closed.rcvd is not None else None

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            self.task.cancel()


async def open_clients(bench: Bench, count: int, query: str, variables_of: Any, port_index_of: Any = None,
                       batch: int = 100) -> list[Client]:
    clients: list[Client] = []
    for offset in range(0, count, batch):
        chunk = [Client() for _ in range(min(batch, count - offset))]
        await asyncio.gather(*(
            c.open(bench.ports[port_index_of(offset + i) if port_index_of else 0], bench.token(offset + i), query,
                   variables_of(offset + i))
            for i, c in enumerate(chunk)
        ))
        clients.extend(chunk)
    return clients


async def close_clients(clients: list[Client]) -> None:
    for offset in range(0, len(clients), 500):
        await asyncio.gather(*(c.close() for c in clients[offset:offset + 500]), return_exceptions=True)


# -- changes -------------------------------------------------------------------------------------
async def commit_task_change(bench: Bench, task_id: int, marker: int) -> None:
    async with bench.engine.begin() as conn:
        await conn.execute(text("UPDATE tasks SET title = :t WHERE id = :id"), {"t": f"m{marker}", "id": task_id})
        await conn.execute(text(
            "INSERT INTO change_log (entity_type, entity_id, op, payload, audience_scope) "
            "VALUES ('Task', :id, 'UPDATED', CAST(:p AS jsonb), 1)"
        ), {"id": task_id, "p": json.dumps({"status": "TODO"})})


async def make_tasks(bench: Bench, count: int) -> list[int]:
    async with bench.engine.begin() as conn:
        return list((await conn.execute(text(
            "INSERT INTO tasks (title) SELECT 'm0' FROM generate_series(1, :n) RETURNING id"), {"n": count})).scalars())


def print_latencies(found: list[float], expected: int) -> None:
    print(f"delivered {len(found)}/{expected} ({100 * len(found) / max(1, expected):.2f} %)")
    if found:
        print(f"commit-to-client ms: p50={percentile(found, 50):.1f} p95={percentile(found, 95):.1f} "
              f"p99={percentile(found, 99):.1f} max={max(found):.1f}")


def latency_report(clients: list[Client], committed: dict[int, float]) -> None:
    print_latencies([(c.arrived[m] - t) * 1000 for c in clients for m, t in committed.items() if m in c.arrived],
                    len(clients) * len(committed))
    errors = [e for c in clients for e in c.errors]
    closed = sorted({c.closed_code for c in clients if c.closed_code is not None})
    if errors or closed:
        print(f"errors={len(errors)} first={errors[:1]} close codes={closed}")


# -- scenarios -----------------------------------------------------------------------------------
def lag_report(before: dict[str, list[tuple[str, float]]], after: dict[str, list[tuple[str, float]]]) -> None:
    """Quantiles of the server's own histograms over the run, as the bucket bound they fall under."""
    parts = []
    for name, buckets in after.items():
        counts = [(bound, count - dict(before.get(name, [])).get(bound, 0.0)) for bound, count in buckets]
        total = counts[-1][1] if counts else 0.0
        if not total:
            continue
        quantiles = []
        for p in (50, 95, 99):
            bound = next(b for b, c in counts if c >= p / 100 * total)
            quantiles.append(f"p{p}<={float(bound) * 1000:g}" if bound != "+Inf" else f"p{p}>5000")
        parts.append(f"{name.replace('_', ' ')} ms {' '.join(quantiles)} ({int(total)} observations)")
    print("server side: " + "; ".join(parts))


async def light_workers(bench: Bench, subscribers: int, processes: int) -> list[asyncio.subprocess.Process]:
    """``processes`` worker processes of bench/light_client.py sharing ``subscribers`` clients."""
    workers = []
    for w in range(processes):
        indexes = range(w, subscribers, processes)
        worker = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "bench" / "light_client.py"),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=2**30)
        assert worker.stdin is not None
        worker.stdin.write((json.dumps({"port": bench.ports[0], "tokens": [bench.token(i) for i in indexes],
                                        "query": TASK_QUERY, "variables": [{} for _ in indexes]}) + "\n").encode())
        await worker.stdin.drain()
        workers.append(worker)
    for worker in workers:
        assert worker.stdout is not None
        ready = await asyncio.wait_for(worker.stdout.readline(), timeout=300)
        assert ready.strip() == b"ready", ready
    return workers


async def fanout(subscribers: int, rate: float, seconds: float, clients_kind: str, processes: int) -> None:
    async with bench_env(users=min(subscribers, 50)) as bench:
        task_ids = await make_tasks(bench, 50)
        clients: list[Client] = []
        light: list[LightClient] = []
        workers: list[asyncio.subprocess.Process] = []
        if clients_kind == "websockets":
            clients = await open_clients(bench, subscribers, TASK_QUERY, lambda i: {})
        elif processes:
            workers = await light_workers(bench, subscribers, processes)
        else:
            for offset in range(0, subscribers, 100):
                light.extend(await asyncio.gather(*(open_light(bench.ports[0], bench.token(i), TASK_QUERY, {})
                                                    for i in range(offset, min(subscribers, offset + 100)))))
        await asyncio.sleep(2.0)
        where = f"{clients_kind} clients" + (f" in {processes} processes" if workers else " in the bench process")
        print(f"{subscribers} subscribers open ({where}); {load()}")
        statements_before = await bench.statements()
        lags_before = await bench.lags()
        gc_before = await bench.gc_seconds()
        cpu_before = sum(bench.process().cpu_times()[:2])
        committed: dict[int, float] = {}  # perf_counter, for the websockets clients
        committed_wall: dict[int, float] = {}  # time.time(), for the light ones (maybe in other processes)
        count = int(rate * seconds)
        started = time.perf_counter()
        for marker in range(1, count + 1):
            due = started + (marker - 1) / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            await commit_task_change(bench, task_ids[marker % len(task_ids)], marker)
            committed[marker] = time.perf_counter()
            committed_wall[marker] = time.time()
        results: list[dict[str, Any]] = []
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write((json.dumps({"committed": committed_wall, "wait": 30}) + "\n").encode())
            await worker.stdin.drain()
        for worker in workers:
            assert worker.stdout is not None
            results.append(json.loads(await asyncio.wait_for(worker.stdout.readline(), timeout=120)))
            await worker.wait()
        deadline = time.perf_counter() + 30
        while time.perf_counter() < deadline and any(len(c.arrived) < count for c in [*clients, *light]):  # noqa: ASYNC110
            await asyncio.sleep(0.2)
        cpu = sum(bench.process().cpu_times()[:2]) - cpu_before
        statements = await bench.statements() - statements_before
        print(f"changes={count} at {rate}/s over {seconds:.0f} s; {load()}")
        if clients:
            latency_report(clients, committed)
        else:
            found = [x for r in results for x in r["latencies"]] + latencies(light, committed_wall)
            expected = sum(r["expected"] for r in results) + len(light) * count
            print_latencies(found, expected)
            errors = sum(r["error_count"] for r in results) + sum(len(c.errors) for c in light)
            closed = sorted({code for r in results for code in r["closed"]} |
                            {c.closed_code for c in light if c.closed_code is not None})
            if errors or closed:
                first = [e for r in results for e in r["errors"]][:1] or [c.errors[0] for c in light if c.errors][:1]
                print(f"errors={errors} first={first} close codes={closed}")
        lag_report(lags_before, await bench.lags())
        gc_ms = [1000 * (after - before) / count for before, after in zip(gc_before, await bench.gc_seconds(), strict=True)]
        print(f"server: {statements} SQL statements ({statements / count:.2f} per change), "
              f"{1000 * cpu / count:.1f} ms CPU per change, of which GC {sum(gc_ms):.2f} ms "
              f"(generations {' / '.join(f'{ms:.2f}' for ms in gc_ms)}; ALMANAC_GC_THRESHOLD="
              f"{os.environ.get('ALMANAC_GC_THRESHOLD', 'unset: the server default')})")
        await close_clients(clients)
        for client in light:
            client.close()


async def idle(subscribers: int, processes: int) -> None:
    async with bench_env(users=50, processes=processes) as bench:
        await asyncio.sleep(1.0)
        before = [bench.process(i).memory_info().rss for i in range(processes)]
        clients = await open_clients(bench, subscribers, TASK_QUERY, lambda i: {}, lambda i: i % processes, batch=200)
        await asyncio.sleep(3.0)
        for i in range(processes):  # every subscribe handled: on a loaded machine 3 s was not always enough
            await settle(bench, index=i)
        after = [bench.process(i).memory_info().rss for i in range(processes)]
        per = subscribers // processes
        for i in range(processes):
            print(f"process {i}: RSS {before[i] / 2**20:.1f} MiB idle -> {after[i] / 2**20:.1f} MiB with {per} "
                  f"subscribers: {(after[i] - before[i]) / per / 1024:.1f} KiB per connection")
        total = sum(after) - sum(before)
        print(f"{subscribers} idle subscribers over {processes} processes: {total / subscribers / 1024:.1f} KiB "
              f"per connection; {load()}")
        await close_clients(clients)


async def calendar(subscribers: int, windows: int, changes: int) -> None:
    base = datetime(2031, 1, 5, tzinfo=UTC)
    async with bench_env(users=min(subscribers, 50)) as bench:
        async with bench.engine.begin() as conn:  # a month of office-wide events, one a working hour
            await conn.execute(text(
                "INSERT INTO events (uid, title, starts_at, ends_at, visibility, module, timezone) "
                "SELECT 'bench-' || i, 'e' || i, CAST(:base AS timestamptz) + make_interval(hours => i), "
                "       CAST(:base AS timestamptz) + make_interval(hours => i + 1), 'INTERNAL', 'COORDINATION', 'UTC' "
                "FROM generate_series(0, 24 * 60) AS i"), {"base": base})
            event_ids = list((await conn.execute(text("SELECT id FROM events ORDER BY id"))).scalars())

        def window_of(i: int) -> dict[str, Any]:
            start = base + timedelta(days=i % windows)
            return {"start": start.isoformat(), "end": (start + timedelta(days=30)).isoformat()}

        clients = await open_clients(bench, subscribers, CALENDAR_QUERY, window_of, batch=50)
        # Warm-up: every 30-day window holds a day that is a multiple of 29; once each client has
        # received one of those changes, every subscription is in place (reading its window done).
        # A change committed before a subscription is in place never reaches it: repeat until all have one.
        deadline = time.perf_counter() + 180
        while time.perf_counter() < deadline and any(c.frames == 0 for c in clients):
            for day in range(29, windows + 30, 29):
                await commit_event_change(bench, base + timedelta(days=day, hours=12), "warm")
            await asyncio.sleep(2.0)
        print(f"warm-up reached {sum(1 for c in clients if c.frames)}/{subscribers} subscribers")
        await settle(bench)
        idle_before = sum(bench.process().cpu_times()[:2])
        await asyncio.sleep(3.0)
        idle_rate = (sum(bench.process().cpu_times()[:2]) - idle_before) / 3.0  # relay polling, timers
        for client in clients:
            client.frames = 0
        statements_before = await bench.statements()
        cpu_before = sum(bench.process().cpu_times()[:2])
        committed: dict[int, float] = {}
        started = time.perf_counter()
        for marker in range(1, changes + 1):
            event_id = event_ids[(marker * 37) % len(event_ids)]
            await commit_event_change(bench, None, f"m{marker}", event_id)
            committed[marker] = time.perf_counter()
            await asyncio.sleep(0.25)
        await asyncio.sleep(2.0)
        await settle(bench)  # every change fully handled, however loaded the machine
        cpu = sum(bench.process().cpu_times()[:2]) - cpu_before
        idle_share = idle_rate * (time.perf_counter() - started)
        statements = await bench.statements() - statements_before
        print(f"calendarChanged: {subscribers} subscribers over {windows} windows, {changes} changes; {load()}")
        print(f"server: {1000 * cpu / changes:.1f} ms CPU per change ({1000 * (cpu - idle_share) / changes:.1f} ms "
              f"beyond its idle {1000 * idle_rate:.1f} ms/s), {statements / changes:.1f} SQL statements per change; "
              f"frames {sum(c.frames for c in clients)}")
        await close_clients(clients)


async def commit_event_change(bench: Bench, at: datetime | None, title: str, event_id: int | None = None) -> None:
    """Retitle the event starting ``at`` (or ``event_id``) and log its change, office-wide."""
    async with bench.engine.begin() as conn:
        row = (await conn.execute(text(
            "UPDATE events SET title = :t WHERE (CAST(:at AS timestamptz) IS NULL OR starts_at = :at) "
            "AND (CAST(:id AS bigint) IS NULL OR id = :id) RETURNING id, starts_at, ends_at"),
            {"t": title, "at": at, "id": event_id})).one()
        await conn.execute(text(
            "INSERT INTO change_log (entity_type, entity_id, op, payload, audience_scope) "
            "VALUES ('Event', :id, 'UPDATED', CAST(:p AS jsonb), 1)"
        ), {"id": row[0], "p": json.dumps({"module": "COORDINATION", "start": row[1].isoformat(),
                                           "end": row[2].isoformat(), "visibility": "INTERNAL"})})


async def settle(bench: Bench, *, idle_share: float = 0.05, limit: float = 120.0, index: int = 0) -> None:
    """Wait until the server process uses under ``idle_share`` of a core over half a second."""
    process = bench.process(index)
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        before = sum(process.cpu_times()[:2])
        await asyncio.sleep(0.5)
        if sum(process.cpu_times()[:2]) - before < idle_share * 0.5:
            return


async def numbered_head(bench: Bench, count: int) -> int:
    """The newest position once ``count`` changes are numbered by the relay."""
    for _ in range(600):
        async with bench.engine.begin() as conn:
            numbered, head = (await conn.execute(text(
                "SELECT count(position), coalesce(max(position), 0) FROM change_log"))).one()
        if numbered >= count:
            return int(head)
        await asyncio.sleep(0.05)
    raise RuntimeError("the relay did not number the changes")


async def storm(subscribers: int, changes: int, field: str, windows: int, cursors: int, users: int) -> None:
    async with bench_env(users=min(subscribers, users)) as bench:
        base = datetime(2031, 1, 5, tzinfo=UTC)
        if field == "task":
            task_ids = await make_tasks(bench, 50)
        else:  # 30 office-wide events, one a day, in each of the subscribed 40-day windows
            async with bench.engine.begin() as conn:
                event_ids = list((await conn.execute(text(
                    "INSERT INTO events (uid, title, starts_at, ends_at, visibility, module, timezone) "
                    "SELECT 'storm-' || i, 'e' || i, CAST(:base AS timestamptz) + make_interval(days => i, hours => 12), "
                    "       CAST(:base AS timestamptz) + make_interval(days => i, hours => 13), 'INTERNAL', "
                    "       'COORDINATION', 'UTC' FROM generate_series(0, 29) AS i RETURNING id"), {"base": base})).scalars())
        # The clients saw one change before they went away: their cursor is a real position (0 would
        # skip the server's check that the cursor is still in the log).
        if field == "task":
            await commit_task_change(bench, task_ids[0], 0)
        else:
            await commit_event_change(bench, None, "seen", event_ids[0])
        head = await numbered_head(bench, 1)
        for marker in range(1, changes + 1):
            if field == "task":
                await commit_task_change(bench, task_ids[marker % len(task_ids)], marker)
            else:
                await commit_event_change(bench, None, f"m{marker}", event_ids[marker % len(event_ids)])
        await numbered_head(bench, changes + 1)
        async with bench.engine.begin() as conn:  # --cursors K: client i resumes after the (i % K)-th change
            positions = [head, *(await conn.execute(text(
                "SELECT position FROM change_log WHERE position > :p ORDER BY position LIMIT :k"),
                {"p": head, "k": cursors - 1})).scalars()]

        def expected(i: int) -> int:
            return changes - i % cursors

        def variables_of(i: int) -> dict[str, Any]:
            after = encode_cursor(positions[i % cursors])
            if field == "task":
                return {"after": after}
            start = base - timedelta(days=i % windows)
            return {"after": after, "start": start.isoformat(), "end": (start + timedelta(days=40)).isoformat()}

        statements_before = await bench.statements()
        cpu_before = sum(bench.process().cpu_times()[:2])
        own_before = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
        started = time.perf_counter()
        clients = await open_clients(bench, subscribers, STORM_QUERIES[field], variables_of,
                                     batch=200)  # one burst: the listen backlog drops a 1,000-connect SYN flood
        connected = time.perf_counter() - started  # every connection acknowledged, every subscribe sent
        deadline = time.perf_counter() + 60
        while time.perf_counter() < deadline and any(len(c.arrived) < expected(i)  # noqa: ASYNC110
                                                     for i, c in enumerate(clients)):
            await asyncio.sleep(0.05)
        caught_up = time.perf_counter() - started
        cpu = sum(bench.process().cpu_times()[:2]) - cpu_before
        statements = await bench.statements() - statements_before
        done = sum(1 for i, c in enumerate(clients) if len(c.arrived) == expected(i)
                   and min(c.arrived, default=changes) > i % cursors)
        own = sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - own_before
        print(f"reconnect storm ({field}Changed, {len(bench.user_ids)} users, {cursors} distinct cursors): {done}/{subscribers} caught up "
              f"exactly on their {changes - cursors + 1}-{changes} changes in "
              f"{caught_up:.2f} s (all connected at {connected:.2f} s); server {cpu:.2f} s CPU, {statements} SQL statements; clients (this process) "
              f"{own:.2f} s CPU; {load()}")
        await close_clients(clients)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=["fanout", "idle", "calendar", "storm"])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--windows", type=int, default=50)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--clients", choices=["websockets", "light"], default="websockets",
                        help="fanout: the websockets library's client, or bench/light_client.py's")
    parser.add_argument("--client-processes", type=int, default=0,
                        help="fanout with light clients: worker processes for them (0: the bench process)")
    parser.add_argument("--field", choices=["task", "calendar"], default="task", help="storm: the subscription")
    parser.add_argument("--users", type=int, default=50,
                        help="storm: distinct users the subscribers sign in as (a calendar window reads "
                             "what each user reads beyond the office once)")
    parser.add_argument("--cursors", type=int, default=1,
                        help="storm: distinct `after` positions the subscribers resume from (1..changes)")
    args = parser.parse_args()
    if not 1 <= args.cursors <= args.changes:
        parser.error("--cursors 1..--changes")
    if not 1 <= args.subscribers <= 12000 or not 0 < args.rate <= 200 or not 0 < args.seconds <= 600:
        parser.error("--subscribers 1..12000, --rate 0..200, --seconds 0..600")
    scenarios = {
        "fanout": lambda: fanout(args.subscribers, args.rate, args.seconds, args.clients, args.client_processes),
        "idle": lambda: idle(args.subscribers, args.processes),
        "calendar": lambda: calendar(args.subscribers, args.windows, args.changes),
        "storm": lambda: storm(args.subscribers, args.changes, args.field, args.windows, args.cursors, args.users),
    }
    asyncio.run(asyncio.wait_for(scenarios[args.scenario](), timeout=1200))


if __name__ == "__main__":
    main()
