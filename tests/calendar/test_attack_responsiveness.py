"""Issue 11 holes 1-3 against a real server process: while one user sends each attack, another
request (``{ __typename }``) is still answered promptly, and the attack itself gets a typed answer.

On the old code attack 1 (INTERVAL=0) and 4 (a VTIMEZONE with SECONDLY rules) never
returned and blocked the event loop (1.3 GiB in 40 s; SIGTERM ignored), so every probe
timed out. The bound is generous on purpose (the machine is shared): the slowest probe
during an attack may take at most ``SLOWDOWN`` times the idle median, and never more than
``CEILING_SECONDS``.
"""
from __future__ import annotations

import asyncio
import os
import signal
import statistics
import subprocess
import time
import uuid
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from db.enums import Role
from db.models import User
from server.auth import hash_password, issue_token
from tests.calendar.test_fidelity_api import SECONDLY_VTIMEZONE
from tests.calendar.test_import_job import many_events
from tests.conftest import REDIS_URL, SECRET, free_port
from tests.realtime.test_processes import ALMANAC, scratch_database, wait_ready

__all__ = ["scratch_database"]  # the fixture, imported for this module's tests

SLOWDOWN = 50
CEILING_SECONDS = 3.0
ATTACK_TIMEOUT = 60.0
PROBE = {"query": "{ __typename }"}
CREATE = "mutation C($input: CreateEventInput!) { createEvent(input: $input) { event { id } errors { code } } }"
IMPORT = ("mutation I($ics: String!) { importCalendar(input: {ics: $ics}) { created problems { reason } "
          "errors { code } calendarImport { status } } }")
WINDOW = '{ calendar(start: "2026-01-05T00:00:00Z", end: "2027-02-05T00:00:00Z") { entries { id } } }'
OCCURRENCES = ('query O($id: ID!) { node(id: $id) { ... on Event { occurrences(start: "2026-01-05T00:00:00Z", '
               'end: "2027-02-05T00:00:00Z") { start } } } }')


def event(rule: str) -> dict[str, Any]:
    return {"input": {"title": "attack", "start": "2026-01-05T09:00:00Z", "end": "2026-01-05T09:15:00Z",
                      "timezone": "UTC", "rrule": rule}}


async def post(client: httpx.AsyncClient, body: dict[str, Any], timeout: float) -> tuple[float, dict[str, Any]]:  # noqa: ASYNC109
    began = time.perf_counter()
    response = await client.post("/graphql", json=body, timeout=timeout)
    return time.perf_counter() - began, response.json()


async def under_attack(client: httpx.AsyncClient, attack: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """Send ``attack`` and, until it is answered, probes one after another; the slowest probe."""
    task = asyncio.create_task(post(client, attack, ATTACK_TIMEOUT))
    slowest = 0.0
    while not task.done():
        try:
            took, body = await post(client, PROBE, CEILING_SECONDS * 2)
        except httpx.TimeoutException:
            took, body = CEILING_SECONDS * 2, {}
        assert body.get("data") in (None, {"__typename": "Query"})
        slowest = max(slowest, took)
        await asyncio.sleep(0.05)
    return (await task)[1], slowest


async def test_other_requests_are_answered_while_each_attack_runs(scratch_database: str) -> None:
    engine = create_async_engine(scratch_database, poolclass=NullPool)
    async with engine.begin() as conn:
        user_id = (await conn.execute(User.__table__.insert().returning(User.__table__.c.id), {
            "email": "attacker@example.org", "name": "Attacker", "role": Role.STAFF.value,
            "password_hash": hash_password("correct horse battery"),
        })).scalar_one()
    await engine.dispose()
    env = {**os.environ, "DATABASE_URL": scratch_database, "REDIS_URL": REDIS_URL, "ALMANAC_SECRET_KEY": SECRET,
           "ALMANAC_REDIS_NAMESPACE": f"almanac-attack-{uuid.uuid4().hex[:8]}", "ALMANAC_LOG_LEVEL": "WARNING"}
    port = free_port()
    process = subprocess.Popen([ALMANAC, "serve", "--port", str(port)], env=env,  # noqa: ASYNC220
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    headers = {"Authorization": f"Bearer {issue_token(user_id, SECRET, ttl_minutes=60)}"}
    try:
        await wait_ready(port, process)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:
            idle = statistics.median([(await post(client, PROBE, 10))[0] for _ in range(20)])
            bound = min(CEILING_SECONDS, max(SLOWDOWN * idle, 0.25))
            quarter_hours = (await post(client, {"query": CREATE, "variables": event("FREQ=MINUTELY;INTERVAL=15")}, 30))[1]
            event_id = quarter_hours["data"]["createEvent"]["event"]["id"]
            attacks: dict[str, tuple[dict[str, Any], Any]] = {
                "INTERVAL=0": ({"query": CREATE, "variables": event("FREQ=DAILY;INTERVAL=0")},
                               lambda b: b["data"]["createEvent"]["errors"] == [{"code": "VALIDATION"}]),
                "SECONDLY": ({"query": CREATE, "variables": event("FREQ=SECONDLY")},
                             lambda b: b["data"]["createEvent"]["errors"] == [{"code": "VALIDATION"}]),
                "COUNT=10000000": ({"query": CREATE, "variables": event("FREQ=DAILY;COUNT=10000000")},
                                   lambda b: b["data"]["createEvent"]["errors"] == [{"code": "VALIDATION"}]),
                "VTIMEZONE SECONDLY": ({"query": IMPORT, "variables": {"ics": SECONDLY_VTIMEZONE}},
                                       lambda b: b["data"]["importCalendar"]["created"] == 1),
                "200 events inline": ({"query": IMPORT, "variables": {"ics": many_events(200)}},
                                      lambda b: b["data"]["importCalendar"]["created"] == 200),
                "10,000 events queued": ({"query": IMPORT, "variables": {"ics": many_events(10_000)}},
                                         lambda b: b["data"]["importCalendar"]["calendarImport"] == {"status": "QUEUED"}),
                "400-day window of a 15-minute series": ({"query": WINDOW},
                                                        lambda b: b["errors"][0]["extensions"]["code"] == "VALIDATION"),
                "400 days of occurrences": ({"query": OCCURRENCES, "variables": {"id": event_id}},
                                            lambda b: b["errors"][0]["extensions"]["code"] == "VALIDATION"),
            }
            slowest: dict[str, float] = {}
            for name, (attack, answered) in attacks.items():
                body, slowest[name] = await under_attack(client, attack)
                assert answered(body), (name, body)
            print(f"\nidle median {idle * 1000:.1f} ms; slowest probe per attack (ms): "
                  + ", ".join(f"{name}: {took * 1000:.0f}" for name, took in slowest.items()))
            assert {name: took for name, took in slowest.items() if took > bound} == {}, (idle, bound)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
