"""Other users' latency while one user sends the calendar attacks of issue 11 (holes 1-3).

Creates a scratch database (dropped afterwards), starts ``almanac serve`` on it, measures the
median of ``{ __typename }`` for a second user when idle, then while each attack repeats
back to back for ``--seconds``, and prints both side by side with how each attack was answered.

    .venv/bin/python -m bench.calendar_abuse --seconds 5
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from bench.scratch import admin_sql, free_port
from db.enums import Role
from db.models import User
from server.auth import hash_password, issue_token
from server.migrate import upgrade

ADMIN_URL = os.environ.get("ALMANAC_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("ALMANAC_TEST_REDIS", "redis://127.0.0.1:6379/0")
SECRET = "bench-secret-key-bench-secret-key-bench-secret-key"
ALMANAC = str(Path(sys.executable).with_name("almanac"))
CREATE = "mutation C($input: CreateEventInput!) { createEvent(input: $input) { errors { code message } } }"
IMPORT = ("mutation I($ics: String!) { importCalendar(input: {ics: $ics}) { created problems { reason } "
          "errors { code message } calendarImport { status } } }")
WINDOW = '{ calendar(start: "2026-01-05T00:00:00Z", end: "2027-02-05T00:00:00Z") { entries { id } } }'
LOOP_ZONE = "\r\n".join([
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Attack//EN", "BEGIN:VTIMEZONE", "TZID:Loop", "BEGIN:STANDARD",
    "DTSTART:19700101T000000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0000", "RRULE:FREQ=SECONDLY", "END:STANDARD",
    "BEGIN:DAYLIGHT", "DTSTART:19700101T000000", "TZOFFSETFROM:+0000", "TZOFFSETTO:+0100",
    "RRULE:FREQ=SECONDLY;INTERVAL=2", "END:DAYLIGHT", "END:VTIMEZONE", "BEGIN:VEVENT", "UID:loop",
    "DTSTART;TZID=Loop:20260302T090000", "END:VEVENT", "END:VCALENDAR", "",
])


def rule(text: str) -> dict[str, Any]:
    return {"query": CREATE, "variables": {"input": {
        "title": "attack", "start": "2026-01-05T09:00:00Z", "end": "2026-01-05T09:15:00Z", "timezone": "UTC",
        "rrule": text}}}


def many(count: int) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Bench//EN"]
    for _ in range(count):
        lines += ["BEGIN:VEVENT", f"UID:bench-{uuid.uuid4().hex}", "DTSTART:20260301T090000Z",
                  "DTEND:20260301T100000Z", "END:VEVENT"]
    return "\r\n".join([*lines, "END:VCALENDAR", ""])


ATTACKS: dict[str, dict[str, Any]] = {
    "createEvent FREQ=DAILY;INTERVAL=0": rule("FREQ=DAILY;INTERVAL=0"),
    "createEvent FREQ=SECONDLY": rule("FREQ=SECONDLY"),
    "createEvent COUNT=10000000": rule("FREQ=DAILY;COUNT=10000000"),
    "import VTIMEZONE with SECONDLY rules": {"query": IMPORT, "variables": {"ics": LOOP_ZONE}},
    "import 200 events (inline)": {"query": IMPORT, "variables": {"ics": many(200)}},
    "import 10,000 events (queued)": {"query": IMPORT, "variables": {"ics": many(10_000)}},
    "400-day window over a 15-minute series": {"query": WINDOW},
}


async def timed(client: httpx.AsyncClient, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    began = time.perf_counter()
    response = await client.post("/graphql", json=body, timeout=120)
    return time.perf_counter() - began, response.json()


async def probes(client: httpx.AsyncClient, until: float) -> list[float]:
    found = []
    while time.perf_counter() < until:
        found.append((await timed(client, {"query": "{ __typename }"}))[0])
        await asyncio.sleep(0.02)
    return found


async def attack(client: httpx.AsyncClient, body: dict[str, Any], until: float) -> tuple[int, str]:
    count, answer = 0, ""
    while time.perf_counter() < until:
        _, reply = await timed(client, body)
        count += 1
        answer = str(reply.get("errors", [{}])[0].get("message") if "errors" in reply else reply["data"])[:90]
    return count, answer


async def run(seconds: float) -> None:
    name = f"almanac_bench_{uuid.uuid4().hex[:8]}"
    await admin_sql(ADMIN_URL, f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    process = None
    try:
        await asyncio.to_thread(upgrade, url)
        from sqlalchemy.ext.asyncio import create_async_engine
        from sqlalchemy.pool import NullPool

        engine = create_async_engine(url, poolclass=NullPool)
        async with engine.begin() as conn:
            ids = [(await conn.execute(User.__table__.insert().returning(User.__table__.c.id), {
                "email": f"{who}@example.org", "name": who, "role": Role.STAFF.value,
                "password_hash": hash_password("correct horse battery")})).scalar_one() for who in ("attacker", "other")]
        await engine.dispose()
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "ALMANAC_SECRET_KEY": SECRET,
               "ALMANAC_REDIS_NAMESPACE": name, "ALMANAC_LOG_LEVEL": "WARNING", "ALMANAC_RATE_LIMIT": "off"}
        # Popen returns at once: the server runs beside the benchmark, which polls /readyz.
        process = subprocess.Popen([ALMANAC, "serve", "--port", str(port), "--workers", "1"], env=env,  # noqa: ASYNC220
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        attacker = httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {issue_token(ids[0], SECRET, ttl_minutes=60)}"})
        other = httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {issue_token(ids[1], SECRET, ttl_minutes=60)}"})
        for _ in range(300):
            try:
                if (await other.get("/readyz")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
        await timed(attacker, rule("FREQ=MINUTELY;INTERVAL=15"))
        idle = statistics.median(await probes(other, time.perf_counter() + seconds))
        print(f"{'attack':42} {'others median':>14} {'idle median':>12} {'attack requests':>16}  answer")
        for label, body in ATTACKS.items():
            until = time.perf_counter() + seconds
            (count, answer), seen = await asyncio.gather(attack(attacker, body, until), probes(other, until))
            print(f"{label:42} {statistics.median(seen) * 1000:11.1f} ms {idle * 1000:9.1f} ms {count:16d}  {answer}")
        await attacker.aclose()
        await other.aclose()
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        await admin_sql(ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="how long each attack runs")
    asyncio.run(run(parser.parse_args().seconds))


if __name__ == "__main__":
    main()
