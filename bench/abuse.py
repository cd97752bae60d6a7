"""Benchmark: other users' latency while one client attacks (issue 11's holes 4-7).

Creates a scratch database, migrates it, loads the demo data, starts one `almanac serve`
process with the default limits (real Redis), and for each attack runs two attacker
streams for a few seconds (in a process of their own, so that building a 60 MB body does
not slow the measuring side) while a signed-in bystander asks `{ __typename }` in a loop.
Prints the bystander's median and p95 next to the idle median, and what the attackers
were answered (status codes), then cleans up (localhost only, every wait bounded).

    .venv/bin/python bench/abuse.py [--seconds 6]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch import admin_sql, free_port  # noqa: E402 (needs ROOT on sys.path)

PG_ADMIN = os.environ.get("ALMANAC_BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("ALMANAC_BENCH_REDIS", "redis://127.0.0.1:6379/0")
SECRET = "bench-secret-key-with-enough-length-for-hs256"
DEMO_PASSWORD = "almanac-demo"

REPEATED_ME = "{ " + "me { name } " * 490 + "}"
NESTED_REPEAT = "name"
for _field in ("teams", "user", "members", "teams", "me"):
    NESTED_REPEAT = " ".join([f"{_field} {{ {NESTED_REPEAT} }}"] * 3)
NESTED_REPEAT = "{ " + NESTED_REPEAT + " }"
YEAR_CALENDAR = ('{ calendar(start: "2026-01-01T00:00:00Z", end: "2027-02-01T00:00:00Z") '
                 "{ entries { id title start end } } }")
DEEP_JSON = '{"query": "{ __typename }", "variables": {"v": ' + '{"a":' * 5000 + "1" + "}" * 5000 + "}}"
HUGE_BODY = b'{"query": "{ __typename }", "variables": {"p": "' + b"x" * (60 * 1024 * 1024) + b'"}}'
SUBSCRIPTION = ('subscription { calendarChanged(start: "2026-01-01T00:00:00Z", end: "2027-01-01T00:00:00Z") '
                "{ __typename } }")

Attack = Callable[[httpx.AsyncClient, dict[str, Any], Counter[str]], Awaitable[None]]


async def post(http: httpx.AsyncClient, body: Any, token: str | None = None, raw: bytes | str | None = None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if raw is not None:
        response = await http.post("/graphql", content=raw, headers={**headers, "content-type": "application/json"})
    else:
        response = await http.post("/graphql", json=body, headers=headers)
    return response.status_code


async def anonymous_repetition(http: httpx.AsyncClient, env: dict[str, Any], seen: Counter[str]) -> None:
    seen[str(await post(http, {"query": REPEATED_ME}))] += 1


async def signed_in_repetition(http: httpx.AsyncClient, env: dict[str, Any], seen: Counter[str]) -> None:
    seen[str(await post(http, {"query": NESTED_REPEAT}, env["attacker"]))] += 1


async def invalid_operations(http: httpx.AsyncClient, env: dict[str, Any], seen: Counter[str]) -> None:
    seen[str(await post(http, {"query": "{ me { nope" + uuid.uuid4().hex[:6] + " } }"}))] += 1


async def deep_json(http: httpx.AsyncClient, env: dict[str, Any], seen: Counter[str]) -> None:
    seen[str(await post(http, None, raw=DEEP_JSON))] += 1


async def huge_body(http: httpx.AsyncClient, env: dict[str, Any], seen: Counter[str]) -> None:
    try:
        seen[str(await post(http, None, raw=HUGE_BODY))] += 1
    except httpx.TransportError:  # the server answered 413 and closed before the upload finished
        seen["closed"] += 1


async def year_calendars(http: httpx.AsyncClient, env: dict[str, Any], seen: Counter[str]) -> None:
    seen[str(await post(http, {"query": YEAR_CALENDAR}, env["viewer"]))] += 1


async def feed_polling(http: httpx.AsyncClient, env: dict[str, Any], seen: Counter[str]) -> None:
    seen[str((await http.get(env["feed"])).status_code)] += 1


async def login_guessing(http: httpx.AsyncClient, env: dict[str, Any], seen: Counter[str]) -> None:
    query = 'mutation { login(input: {email: "%s", password: "guess"}) { errors { code } } }'
    email = f"user-{uuid.uuid4().hex[:6]}@almanac.local" if seen.total() % 2 else "admin@almanac.local"
    seen[str(await post(http, {"query": query % email}))] += 1


SUBSCRIPTIONS_LABEL = "hole 6: 40 subscriptions on one socket"
ATTACKS: dict[str, Attack] = {
    "hole 4: anonymous 490x repeated field": anonymous_repetition,
    "hole 4: signed-in 3x3x3x3x3 repeated nesting": signed_in_repetition,
    "hole 4: invalid operations (never cached)": invalid_operations,
    "hole 5: JSON nested 5,000 deep": deep_json,
    "hole 5: 60 MB anonymous body": huge_body,
    "hole 6: VIEWER 396-day calendars": year_calendars,
    "hole 6: one feed polled in a loop": feed_polling,
    "hole 7: login guessing (known + unknown emails)": login_guessing,
}


async def bystander(http: httpx.AsyncClient, token: str, stop: asyncio.Event, samples: list[float]) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        response = await http.post("/graphql", json={"query": "{ __typename }"},
                                   headers={"Authorization": f"Bearer {token}"})
        assert response.json() == {"data": {"__typename": "Query"}}, response.text
        samples.append(time.perf_counter() - started)
        await asyncio.sleep(0.05)


async def attacker(http: httpx.AsyncClient, attack: Attack, env: dict[str, Any], stop: asyncio.Event,
                   seen: Counter[str]) -> None:
    while not stop.is_set():
        await attack(http, env, seen)


async def subscriptions_attack(base: str, env: dict[str, Any], stop: asyncio.Event, seen: Counter[str]) -> None:
    """40 calendarChanged subscriptions on one socket (the cap lets 10 run)."""
    url = base.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {env['viewer']}"}}))
        await ws.recv()
        for index in range(40):
            await ws.send(json.dumps({"id": str(index), "type": "subscribe", "payload": {"query": SUBSCRIPTION}}))
        while not stop.is_set():
            try:
                message = json.loads(await asyncio.wait_for(ws.recv(), timeout=0.2))
                seen[message["type"]] += 1
            except TimeoutError:
                continue


async def attack_for(base: str, env: dict[str, Any], seconds: float, label: str) -> Counter[str]:
    """Runs in the attacker process: two streams of ``label``'s attack for ``seconds``."""
    seen: Counter[str] = Counter()
    stop = asyncio.Event()
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=httpx.Limits(max_connections=20)) as http:
        attack = ATTACKS.get(label)
        tasks = ([asyncio.create_task(subscriptions_attack(base, env, stop, seen))] if attack is None else
                 [asyncio.create_task(attacker(http, attack, env, stop, seen)) for _ in range(2)])
        await asyncio.sleep(seconds)
        stop.set()
        await asyncio.wait(tasks, timeout=120)
    return seen


def attack_process(base: str, env: dict[str, Any], seconds: float, label: str, results: Any) -> None:
    results.put(dict(asyncio.run(attack_for(base, env, seconds, label))))


async def measure(base: str, env: dict[str, Any], seconds: float, label: str | None) -> tuple[
        list[float], Counter[str]]:
    samples: list[float] = []
    stop = asyncio.Event()
    spawn = multiprocessing.get_context("spawn")
    results = spawn.Queue()
    process = None
    if label is not None:
        process = spawn.Process(target=attack_process, args=(base, env, seconds, label, results))
        process.start()
        await asyncio.sleep(1.0)  # the attacker process starts (imports) before the clock runs
    async with httpx.AsyncClient(base_url=base, timeout=120) as quiet:
        task = asyncio.create_task(bystander(quiet, env["bystander"], stop, samples))
        await asyncio.sleep(seconds - 1.0 if label is not None else seconds)
        stop.set()
        await asyncio.wait([task], timeout=120)
    seen: Counter[str] = Counter()
    if process is not None:
        seen.update(await asyncio.to_thread(results.get, True, 180))
        await asyncio.to_thread(process.join, 60)
    return samples, seen


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"median {1000 * statistics.median(ordered):7.1f} ms  p95 {1000 * p95:7.1f} ms  (n={len(ordered)})"


def prepare(almanac: str, env_vars: dict[str, str]) -> dict[str, str]:
    """Migrate, load the demo data and print tokens with the real CLI; the demo users' tokens by role."""
    for command in (["migrate"], ["seed", "--demo"]):
        subprocess.run([almanac, *command], env=env_vars, check=True, capture_output=True, timeout=600)
    return {role: subprocess.run([almanac, "user", "token", f"{role}@almanac.local"], env=env_vars, check=True,
                                 capture_output=True, text=True, timeout=120).stdout.strip()
            for role in ("admin", "viewer", "staff")}


async def run(seconds: float) -> None:
    name = f"almanac_abuse_{uuid.uuid4().hex[:8]}"
    await admin_sql(PG_ADMIN, f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    env_vars = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "ALMANAC_SECRET_KEY": SECRET,
                "ALMANAC_REDIS_NAMESPACE": f"almanac-abuse-{uuid.uuid4().hex[:6]}", "ALMANAC_LOG_LEVEL": "WARNING"}
    almanac = str(Path(sys.executable).with_name("almanac"))
    server: subprocess.Popen[bytes] | None = None
    try:
        tokens = await asyncio.to_thread(prepare, almanac, env_vars)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([almanac, "serve", "--port", str(port)], env=env_vars,  # noqa: ASYNC220
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            for _ in range(300):
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError("server did not start")
            link = await http.post("/graphql", json={"query": 'mutation { createShareLink(input: {name: "All"}) '
                                                              "{ token } }"},
                                   headers={"Authorization": f"Bearer {tokens['admin']}"})
            feed = f"/calendar/feed/{link.json()['data']['createShareLink']['token']}.ics"
        env = {"bystander": tokens["staff"], "viewer": tokens["viewer"], "attacker": tokens["admin"], "feed": feed}
        idle, _ = await measure(base, env, seconds, None)
        print(f"{'idle (no attack)':50s} {summary(idle)}", flush=True)
        for label in [*ATTACKS, SUBSCRIPTIONS_LABEL]:
            samples, seen = await measure(base, env, seconds, label)
            answers = ", ".join(f"{code}: {count}" for code, count in sorted(seen.items()))
            ratio = statistics.median(samples) / statistics.median(idle)
            print(f"{label:50s} {summary(samples)}  x{ratio:4.1f} idle  attacker got {answers}", flush=True)
            await asyncio.sleep(1.0)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        await admin_sql(PG_ADMIN, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="how long each attack runs")
    asyncio.run(run(parser.parse_args().seconds))


if __name__ == "__main__":
    main()
