"""Benchmark: Almanac against PostGraphile 4.14.1 and the Python floor, on the same database, in one run.

    .venv/bin/python bench/peers.py [--rounds 3] [--seconds 5] [--workers N] [--baseline PATH]
    .venv/bin/python bench/peers.py --only typename,me --rate-limit on   # limits as `almanac serve` has them

Installs PostGraphile with npm into a scratch folder (once), seeds a scratch database with
``almanac seed --demo --scale 10`` (once; kept and reused), serves it with ``almanac serve``
(rate limit off) and with PostGraphile, and loads both with ``hey`` in interleaved rounds
(the order alternates every round), so the machine's noise hits both alike. Prints
min/median/max per side and the per-round ratios. ``--baseline PATH`` serves a second
Almanac checkout (say, the commit before a change) in the same rounds.

Work measured (issue 12): nested ``tasks(first: 100)`` req/s at 1/10/50 clients and p99 at
50; a board of 1,000 cards (median, one client); a one-month calendar window (median, one
client) against the floor (asyncpg + dateutil + json, in this process); ``{ __typename }``
and ``me { id }`` req/s at 50; a mixed load of 50 clients (calendar month, tasks, board),
Almanac only, with failures, pool timeouts and resident memory.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the imports below need the repository

from bench import peers_queries as q
from bench.peers_floor import floor_calendar
from bench.peers_load import Load, hey_command, run_hey, run_together
from bench.peers_setup import (
    SECRET,
    Server,
    ensure_database,
    ensure_postgraphile,
    plain_url,
    start_almanac,
    start_postgraphile,
    wait_ready,
)
from bench.scratch import free_port
from server.auth import issue_token

ADMIN_URL = os.environ.get("ALMANAC_BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
SCRATCH = Path(os.environ.get("ALMANAC_BENCH_SCRATCH", Path.home() / ".cache" / "almanac-bench"))
PEER = "postgraphile"
FLOOR = "floor"
# --rate-limit on: every limit on, with amounts the bench never reaches, so each operation does the
# limits' Redis work (as under `almanac serve`'s defaults) and is still answered, not refused with 429
LIMITS_ON = {"ALMANAC_RATE_LIMIT": "1000000/minute", "ALMANAC_COST_BUDGET": "100000000/minute",
             "ALMANAC_ANONYMOUS_COST_BUDGET": "100000000/minute", "ALMANAC_TIME_BUDGET": "100000000/minute"}
LIMITED_KINDS = {"typename", "me"}
POOL_TIMEOUT_MARKERS = ("QueuePool limit", "TimeoutError", "too many clients")


@dataclass
class Measure:
    label: str
    unit: str  # "req/s" (more is better) or "ms" (less is better)
    goal: str
    values: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class Bench:
    servers: dict[str, Server]
    almanacs: list[str]
    token: str
    viewer_id: int
    calendar_body: str
    window: tuple[datetime, datetime]
    pg: asyncpg.Connection
    args: argparse.Namespace
    measures: dict[str, Measure] = field(default_factory=dict)
    mixed: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def record(self, key: str, side: str, value: float) -> None:
        self.measures[key].values[side].append(value)


def define_measures() -> dict[str, Measure]:
    return {
        "tasks1": Measure("tasks(first:100) nested, 1 client", "req/s", ">= 0.5x"),
        "tasks10": Measure("tasks(first:100) nested, 10 clients", "req/s", ">= 0.5x"),
        "tasks50": Measure("tasks(first:100) nested, 50 clients", "req/s", ">= 0.5x"),
        "tasks50p99": Measure("tasks(first:100) p99 at 50 clients", "ms", "< 1000 ms"),
        "board": Measure("board of 1,000 cards, median", "ms", "<= 2x"),
        "calendar": Measure("calendar month window, median (peer = floor)", "ms", "<= 1.5x, < 250 ms"),
        "typename": Measure("{ __typename } at 50 clients", "req/s", ">= 0.4x"),
        "me": Measure("me { id } at 50 clients (peer: userById)", "req/s", ">= 0.5x"),
    }


def bodies(side: str, viewer_id: int, calendar_body: str) -> dict[str, str]:
    if side == PEER:
        return {"tasks": q.body(q.POSTGRAPHILE_TASKS), "board": q.body(q.POSTGRAPHILE_BOARD),
                "typename": q.body(q.TYPENAME), "me": q.body(q.postgraphile_me(viewer_id))}
    return {"tasks": q.body(q.ALMANAC_TASKS), "board": q.body(q.ALMANAC_BOARD), "typename": q.body(q.TYPENAME),
            "me": q.body(q.ALMANAC_ME), "calendar": calendar_body}


def check_answers(bench: Bench) -> None:
    """One request of each kind per server: no errors, the expected amounts (printed)."""
    expected = q.Expected()
    for side, server in bench.servers.items():
        token = None if side == PEER else bench.token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for kind, body in bodies(side, bench.viewer_id, bench.calendar_body).items():
            reply = httpx.post(server.url, content=body, headers={"Content-Type": "application/json", **headers},
                               timeout=120)
            payload = reply.json()
            if reply.status_code != 200 or payload.get("errors"):
                raise SystemExit(f"{side} {kind}: HTTP {reply.status_code} {str(payload)[:500]}")
            data = payload["data"]
            if kind == "tasks" and q.count_tasks(data) != expected.tasks:
                raise SystemExit(f"{side} tasks: {q.count_tasks(data)} nodes, expected {expected.tasks}")
            if kind == "board" and q.count_cards(data) != expected.cards:
                raise SystemExit(f"{side} board: {q.count_cards(data)} cards, expected {expected.cards}")
            size = len(reply.content)
            extra = f", {len(data['calendar']['entries'])} entries" if kind == "calendar" else ""
            print(f"  {side:>12} {kind:<9} ok: {size:>9,} bytes{extra}")


def throughput(bench: Bench, side: str, kind: str, clients: int, seconds: float | None = None) -> tuple[float, float]:
    body = bodies(side, bench.viewer_id, bench.calendar_body)[kind]
    token = None if side == PEER or kind == "typename" else bench.token
    load = run_hey(bench.servers[side].url, body, concurrency=clients, seconds=seconds or bench.args.seconds,
                   token=token)
    if load.failed:
        print(f"    ! {side} {kind}@{clients}: {load.failed} failed ({load.statuses})")
    return load.served_per_second, load.ms(99)


def median_latency(bench: Bench, side: str, kind: str) -> float:
    body = bodies(side, bench.viewer_id, bench.calendar_body)[kind]
    load = run_hey(bench.servers[side].url, body, concurrency=1, requests=bench.args.latency_requests,
                   token=None if side == PEER else bench.token)
    return load.ms(50)


async def floor_median(bench: Bench) -> float:
    runs = [await floor_calendar(bench.pg, bench.viewer_id, *bench.window) for _ in range(bench.args.latency_requests)]
    return statistics.median(r.total_seconds for r in runs) * 1000


def rss_mb(server: Server) -> float:
    root = psutil.Process(server.process.pid)
    return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]) / 2**20


def worker_cpu(server: Server) -> list[float]:
    """CPU seconds of each server process so far (the parent first): how the load spread over workers."""
    root = psutil.Process(server.process.pid)
    return [sum(p.cpu_times()[:2]) for p in [root, *root.children(recursive=True)]]


def pool_timeouts(server: Server) -> int:
    text = server.log_text()
    return sum(text.count(marker) for marker in POOL_TIMEOUT_MARKERS)


def mixed_load(bench: Bench, side: str, seconds: float) -> str:
    """50 clients at once: 10 on calendar months, 20 on nested tasks, 20 on boards."""
    server, b = bench.servers[side], bodies(side, bench.viewer_id, bench.calendar_body)
    before = pool_timeouts(server)
    commands = [hey_command(server.url, b[kind], concurrency=n, seconds=seconds, token=bench.token)
                for kind, n in (("calendar", 10), ("tasks", 20), ("board", 20))]
    memory = [rss_mb(server)]
    cpu_before = worker_cpu(server)
    loads = run_together(commands, every=min(30.0, seconds / 3), tick=lambda: memory.append(rss_mb(server)))
    memory.append(rss_mb(server))
    cpu = " / ".join(f"{after - before:.0f}" for before, after in zip(cpu_before, worker_cpu(server), strict=False))
    served = sum(load.served for load in loads)
    rate = served / max(load.seconds for load in loads)
    every = Load(seconds=0.0, statuses={}, latencies=sorted(x for load in loads for x in load.latencies))
    p99 = max(load.ms(99) for load in loads)
    failed = sum(load.failed for load in loads)
    kinds = " ".join(f"{k}: {load.served_per_second:.1f}/s p50 {load.ms(50):.0f} p99 {load.ms(99):.0f} ms"
                     for k, load in zip(("calendar", "tasks", "board"), loads, strict=True))
    rss = " -> ".join(f"{mb:.0f}" for mb in memory)
    return (f"{rate:6.1f} req/s, all requests p50 {every.ms(50):.0f} / p99 {every.ms(99):.0f} ms, worst kind's p99"
            f" {p99:.0f} ms, {failed} failed, {pool_timeouts(server) - before} pool timeouts, RSS MB {rss},"
            f" CPU s per process {cpu}  [{kinds}]")


def selected(bench: Bench, kind: str) -> bool:
    """``--only`` names the kinds to measure (all when absent)."""
    return bench.args.only is None or kind in bench.args.only


def interleaved(sides: list[str], round_no: int) -> list[str]:
    return sides if round_no % 2 == 0 else list(reversed(sides))


async def run_round(bench: Bench, round_no: int) -> None:
    sides = [*bench.almanacs, PEER]
    steps: list[tuple[str, Callable[[str], None]]] = []

    def load_step(kind: str, clients: int, key: str, p99_key: str | None = None) -> Callable[[str], None]:
        def step(side: str) -> None:
            rate, p99 = throughput(bench, side, kind, clients)
            bench.record(key, side, rate)
            if p99_key:
                bench.record(p99_key, side, p99)
        return step

    if bench.args.only_mixed:
        for side in interleaved(bench.almanacs, round_no):
            bench.mixed[side].append(mixed_load(bench, side, bench.args.mixed_seconds))
        print(f"  round {round_no + 1} done", flush=True)
        return
    steps += [("tasks", load_step("tasks", 1, "tasks1")), ("tasks", load_step("tasks", 10, "tasks10")),
              ("tasks", load_step("tasks", 50, "tasks50", "tasks50p99")),
              ("typename", load_step("typename", 50, "typename")), ("me", load_step("me", 50, "me"))]
    steps.append(("board", lambda side: bench.record("board", side, median_latency(bench, side, "board"))))
    for kind, step in steps:
        if selected(bench, kind):
            for side in interleaved(sides, round_no):
                step(side)
    if selected(bench, "calendar"):
        for side in interleaved([*bench.almanacs, FLOOR], round_no):
            if side == FLOOR:
                bench.record("calendar", PEER, await floor_median(bench))
            else:
                bench.record("calendar", side, median_latency(bench, side, "calendar"))
    if selected(bench, "mixed"):
        for side in interleaved(bench.almanacs, round_no):
            bench.mixed[side].append(mixed_load(bench, side, bench.args.mixed_seconds))
    print(f"  round {round_no + 1} done", flush=True)


def spread(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{min(values):8.1f} {statistics.median(values):8.1f} {max(values):8.1f}"


def report(bench: Bench) -> None:
    print(f"\n{'work':<46} {'side':<13} {'min':>8} {'median':>8} {'max':>8}   ratio per round min/med/max   goal")
    for measure in bench.measures.values():
        if not measure.values:
            continue
        peer = measure.values.get(PEER, [])
        print(f"{measure.label} [{measure.unit}]")
        for side in [*bench.almanacs, PEER]:
            values = measure.values.get(side, [])
            ratio = ""
            if side != PEER and peer and values:
                ratios = [a / p for a, p in zip(values, peer, strict=False) if p]
                ratio = f"{min(ratios):5.2f} {statistics.median(ratios):5.2f} {max(ratios):5.2f}"
            name = FLOOR if measure.unit == "ms" and side == PEER and "floor" in measure.label else side
            goal = measure.goal if side == bench.almanacs[0] else ""
            print(f"{'':<46} {name:<13} {spread(values)}   {ratio:<29} {goal}")
    if not bench.mixed:
        return
    print("\nmixed load, 50 clients (10 calendar month, 20 tasks, 20 board), per round:")
    for side, lines in bench.mixed.items():
        for line in lines:
            print(f"  {side:<9} {line}")


async def main_async(args: argparse.Namespace) -> None:
    binary = ensure_postgraphile(SCRATCH / "postgraphile")
    db_url = await ensure_database(ADMIN_URL, scale=args.scale, year=args.year, python=sys.executable)
    pg = await asyncpg.connect(plain_url(db_url))
    viewer_id = await pg.fetchval("SELECT id FROM users WHERE email = 'admin@almanac.local'")
    start = datetime(args.year, args.month, 1, tzinfo=UTC)
    end = datetime(args.year + (args.month == 12), args.month % 12 + 1, 1, tzinfo=UTC)
    log_dir = Path(tempfile.mkdtemp(prefix="almanac-peers-"))
    limits = LIMITS_ON if args.rate_limit == "on" else None
    servers: dict[str, Server] = {"almanac": start_almanac(db_url, port=free_port(), workers=args.workers,
                                                           log_dir=log_dir, extra_env=limits)}
    if args.baseline:
        servers["baseline"] = start_almanac(db_url, port=free_port(), workers=args.workers, log_dir=log_dir,
                                            root=args.baseline, extra_env=limits)
    servers[PEER] = start_postgraphile(binary, db_url, port=free_port(), log_dir=log_dir)
    try:
        for server in servers.values():
            wait_ready(server)
        bench = Bench(
            servers=servers, almanacs=[s for s in servers if s != PEER],
            token=issue_token(viewer_id, SECRET, ttl_minutes=600), viewer_id=viewer_id,
            calendar_body=q.body(q.ALMANAC_CALENDAR, q.calendar_variables(start, end)), window=(start, end),
            pg=pg, args=args, measures=define_measures(),
        )
        print(f"database {db_url}; window {start:%Y-%m-%d}..{end:%Y-%m-%d}; logs in {log_dir}")
        check_answers(bench)
        floor = await floor_calendar(pg, viewer_id, start, end)
        print(f"  {'floor':>12} calendar  ok: {floor.json_bytes:>9,} bytes, {floor.entries} entries"
              f" (SQL alone {floor.sql_seconds * 1000:.0f} ms)")
        for side in [*bench.almanacs, PEER]:  # warm every path before the first measured round
            for kind in [k for k in ("tasks", "board", "me") if selected(bench, k)]:
                throughput(bench, side, kind, 10, seconds=2)
        for round_no in range(args.rounds):
            await run_round(bench, round_no)
        report(bench)
    finally:
        for server in servers.values():
            server.stop()
        await pg.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each throughput run")
    parser.add_argument("--latency-requests", type=int, default=7, help="requests per median-latency run")
    parser.add_argument("--mixed-seconds", type=float, default=15.0,
                        help="length of each mixed-load run (300: the 5-minute memory check)")
    parser.add_argument("--only-mixed", action="store_true", help="skip everything but the mixed load")
    parser.add_argument("--only", type=lambda text: set(text.split(",")), metavar="KINDS",
                        help="measure only these, comma-separated: tasks, typename, me, board, calendar, mixed")
    parser.add_argument("--workers", type=int, default=None, help="almanac serve --workers (default: its own)")
    parser.add_argument("--year", type=int, default=datetime.now(UTC).year)
    parser.add_argument("--month", type=int, default=3, choices=range(1, 13))
    parser.add_argument("--baseline", metavar="PATH", type=lambda p: Path(p).resolve(),
                        help="another Almanac checkout to serve in the same rounds")
    parser.add_argument("--rate-limit", choices=("off", "on"), default="off",
                        help="on: serve Almanac with every limit on (amounts never reached), for --only typename,me")
    args = parser.parse_args()
    if args.rate_limit == "on" and not (args.only and args.only <= LIMITED_KINDS):
        parser.error("--rate-limit on measures only the typename and me rows: add --only typename,me")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
