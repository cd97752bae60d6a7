"""Work done for several operations at once is shared out among their meters (server.cpu_meter)."""
from __future__ import annotations

import asyncio
import time
from typing import Any

from limits import parse
from limits.aio.storage import MemoryStorage

from server import cpu_meter
from server.budget_script import Budgets, Kind, Step
from server.rate_limit import RequestRateLimiter

BATCH_SECONDS = 0.03


def burn(seconds: float) -> None:
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        pass


async def test_one_script_for_two_operations_charges_each_its_share() -> None:
    assert cpu_meter.install(asyncio.get_running_loop())
    budgets = Budgets(None)
    limiter = RequestRateLimiter(parse("10/minute"), MemoryStorage(), key_prefix="test")

    async def evaluate(keys: list[str], args: list[Any]) -> list[list[int]]:
        burn(BATCH_SECONDS)  # the batch's own work (building, sending, reading), made long
        return [[1], [1]]

    budgets.script = object()  # type: ignore[assignment]  # "Redis": what it runs is evaluate
    budgets._evaluate = evaluate  # type: ignore[method-assign]
    meters: list[cpu_meter.Meter] = []

    async def operation(identity: str) -> None:
        meter, token = cpu_meter.start()
        meters.append(meter)
        outcomes = await budgets.run([Step("request", Kind.HIT, limiter, identity)])
        assert outcomes["request"] is not None and outcomes["request"].allowed
        cpu_meter.stop(meter, token)

    await asyncio.gather(asyncio.create_task(operation("a")), asyncio.create_task(operation("b")))
    first, second = (meter.seconds for meter in meters)
    assert first >= BATCH_SECONDS / 2 and second >= BATCH_SECONDS / 2  # all of it used to go to the first
    await budgets.aclose()
