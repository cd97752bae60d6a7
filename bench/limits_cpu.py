"""CPU per operation of the limits (rate, cost, time budgets), in-process: limits on against off.

    .venv/bin/python bench/limits_cpu.py [--operations 4000] [--clients 50] [--rounds 3] [--profile FILE]

Serves the app in this process (``create_app`` with a scratch database, real Redis at
``ALMANAC_BENCH_REDIS``), POSTs ``{ __typename }`` as direct ASGI calls (httpx's ASGI transport
cost more than the server: it looks for trio with an import on every request) from ``--clients``
concurrent clients, and reports per operation: this process's CPU time
(``time.process_time``) and Redis's (``INFO cpu``, used_cpu_user + used_cpu_sys; it shares the
machine's cores), for each mode, rounds alternating. No throughput: on a shared machine CPU time
per operation is steadier than requests per second. ``--profile FILE`` writes a cProfile of the
extra "on" round (``python -m pstats FILE``).
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the imports below need the repository

from bench.peers import LIMITS_ON
from bench.scratch import admin_sql
from server.app import create_app
from server.migrate import upgrade
from server.settings import Settings
from tests.bare_machine import database_named

ADMIN_URL = os.environ.get("ALMANAC_BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("ALMANAC_BENCH_REDIS", "redis://127.0.0.1:6379/0")
LIMITS_OFF = {name: "off" for name in LIMITS_ON}
QUERY = {"query": "{ __typename }"}


async def redis_cpu(redis: Redis) -> tuple[float, int, int]:
    """Redis's CPU seconds so far, the scripts it has run (EVALSHA calls) and their microseconds."""
    info = await redis.info("cpu")
    scripts = (await redis.info("commandstats")).get("cmdstat_evalsha", {})
    return (float(info["used_cpu_user"]) + float(info["used_cpu_sys"]), int(scripts.get("calls", 0)),
            int(scripts.get("usec", 0)))


BODY = json.dumps(QUERY).encode()
SCOPE = {
    "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
    "path": "/graphql", "raw_path": b"/graphql", "query_string": b"", "root_path": "",
    "headers": [(b"host", b"bench"), (b"content-type", b"application/json"),
                (b"content-length", str(len(BODY)).encode())],
    "client": ("127.0.0.1", 50000), "server": ("bench", 80),
}


async def post(app: Any) -> None:
    """One request, as a server would hand it to the app."""
    received = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal received
        if not received:
            received = True
            return {"type": "http.request", "body": BODY, "more_body": False}
        await asyncio.Future()  # no disconnect while the answer is written
        raise AssertionError

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(dict(SCOPE), receive, send)
    assert status == 200, status


async def one_round(database_url: str, limits: dict[str, str], operations: int, clients: int,
                    profiler: cProfile.Profile | None) -> tuple[float, float, float, float]:
    """Microseconds of this process's CPU and of Redis's per operation, operations per script, and
    microseconds of script execution per operation (Redis's own count, without reading and writing)."""
    settings = Settings(DATABASE_URL=database_url, REDIS_URL=REDIS_URL, ALMANAC_SECRET_KEY="x" * 32,
                        ALMANAC_REDIS_NAMESPACE=f"bench-{uuid.uuid4().hex[:8]}", **limits)  # type: ignore[arg-type]
    app = create_app(settings)
    monitor = Redis.from_url(REDIS_URL)
    async with app.router.lifespan_context(app):

        async def client(count: int) -> None:
            for _ in range(count):
                await post(app)

        await asyncio.gather(*(client(20) for _ in range(clients)))  # warm: caches, connections, the script
        each = operations // clients
        redis_before, before = await redis_cpu(monitor), time.process_time()
        if profiler is not None:
            profiler.enable()
        await asyncio.gather(*(client(each) for _ in range(clients)))
        if profiler is not None:
            profiler.disable()
        spent, redis_after = time.process_time() - before, await redis_cpu(monitor)
    await monitor.aclose()
    done = each * clients
    scripts = redis_after[1] - redis_before[1]  # (other clients of a shared Redis count too)
    return (1e6 * spent / done, 1e6 * (redis_after[0] - redis_before[0]) / done, done / max(1, scripts),
            (redis_after[2] - redis_before[2]) / done)


async def main(args: argparse.Namespace) -> None:
    logging.disable(logging.INFO)  # the app's start-up lines
    name = f"almanac_limits_cpu_{uuid.uuid4().hex[:8]}"
    await admin_sql(ADMIN_URL, f'CREATE DATABASE "{name}"')
    database_url = database_named(ADMIN_URL, name)
    results: dict[str, list[tuple[float, float, float, float]]] = {"off": [], "on": []}
    profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not waiting
    try:
        await asyncio.to_thread(upgrade, database_url)
        for round_ in range(args.rounds):
            order = ["off", "on"] if round_ % 2 == 0 else ["on", "off"]
            for mode in order:
                result = await one_round(database_url, LIMITS_ON if mode == "on" else LIMITS_OFF,
                                         args.operations, args.clients, None)
                results[mode].append(result)
                print(f"round {round_ + 1} {mode:>3}: {result[0]:6.0f} us CPU, Redis {result[1]:5.1f} us per operation"
                      + (f" ({result[3]:.1f} in scripts), {result[2]:.1f} operations per script" if mode == "on" else ""))
        if profiler is not None:  # a round of its own: the profiler's overhead is in no figure
            await one_round(database_url, LIMITS_ON, args.operations, args.clients, profiler)
    finally:
        await admin_sql(ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    median: dict[str, Any] = {mode: [statistics.median(r[i] for r in runs) for i in (0, 1)]
                              for mode, runs in results.items()}
    print(f"median: off {median['off'][0]:.0f} us (Redis {median['off'][1]:.1f}), on {median['on'][0]:.0f} us"
          f" (Redis {median['on'][1]:.1f}); the limits: {median['on'][0] - median['off'][0]:.0f} us here"
          f" + {median['on'][1] - median['off'][1]:.1f} us in Redis per operation")
    if profiler is not None:
        profiler.dump_stats(args.profile)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--operations", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", default="")
    asyncio.run(main(parser.parse_args()))
