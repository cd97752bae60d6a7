"""Capacity settings: admission control, worker default, GC settings."""
from __future__ import annotations

import asyncio
import gc
import time

import pytest

from server import cpu_meter
from server.admission import Admission, ServerBusy, start_admission
from server.cli import default_workers
from server.gc_tuning import parse_threshold, tune_gc
from server.settings import Settings

CHEAP = ("{ me { id } }", None)
HEAVY = ("query Month { calendar { entries { id } } }", "Month")


async def hold(admission: Admission, shape: tuple[str, str | None], entered: asyncio.Event,
               release: asyncio.Event) -> None:
    async with admission.admit(shape):
        entered.set()
        await release.wait()


@pytest.fixture
async def metered() -> None:
    """The loop's tasks metered, as the app's lifespan does (``server.admission.start_admission``)."""
    assert cpu_meter.install(asyncio.get_running_loop())


def burn(seconds: float) -> None:
    """Hold the loop (an operation's synchronous work) for this much CPU time."""
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        pass


async def test_heaviness_is_learned_from_each_shapes_own_loop_time() -> None:
    admission = Admission(max_running=4, max_heavy=1, heavy_seconds=0.01)
    assert not admission.is_heavy(HEAVY)  # unknown: cheap until its first run
    admission.observe_run(HEAVY, 0.200)
    admission.observe_run(CHEAP, 0.002)
    assert admission.is_heavy(HEAVY) and not admission.is_heavy(CHEAP)
    for _ in range(20):
        admission.observe_run(HEAVY, 0.003)  # answered from the answer cache now: a few milliseconds
    assert not admission.is_heavy(HEAVY)
    for _ in range(5):
        admission.observe_run(HEAVY, 0.200)  # computed afresh again (the data changes): heavy again
    assert admission.is_heavy(HEAVY) and not admission.is_heavy(CHEAP)


async def test_the_cost_is_loop_time_not_wall_time(metered: None) -> None:
    """Waiting (for the database, for other operations' turns) costs nothing; the loop time of the
    operation's own task and of the tasks it starts does."""
    admission = Admission(max_running=4, max_heavy=1, heavy_seconds=0.01)

    async def child() -> None:
        burn(0.02)

    async with admission.admit(HEAVY):
        await asyncio.sleep(0.001)
        burn(0.02)
        await asyncio.create_task(child())
    async with admission.admit(CHEAP):
        await asyncio.sleep(0.05)  # a long wait, little work
    heavy, cheap = admission.cost(HEAVY), admission.cost(CHEAP)
    assert heavy is not None and cheap is not None
    assert heavy >= 0.04 and cheap < heavy / 4  # a ratio: a loaded machine stretches both
    assert admission.is_heavy(HEAVY) and not admission.is_heavy(CHEAP)


async def test_while_cheap_and_heavy_run_together_each_is_charged_its_own_time(metered: None) -> None:
    """Interleaved on one loop their wall times are alike; their costs are not."""
    admission = Admission(max_running=4, max_heavy=2, heavy_seconds=0.01)

    async def run(shape: tuple[str, str | None], chunks: int, chunk_seconds: float) -> None:
        async with admission.admit(shape):
            for _ in range(chunks):
                burn(chunk_seconds)
                await asyncio.sleep(0)

    await asyncio.gather(run(HEAVY, 4, 0.015), run(CHEAP, 20, 0.0002))
    heavy, cheap = admission.cost(HEAVY), admission.cost(CHEAP)
    assert heavy is not None and cheap is not None
    assert heavy >= 0.06 and cheap < heavy / 4  # cheap burns 4 ms of its own: 1/15 of heavy


async def test_the_work_after_an_operations_last_await_is_charged_too(metered: None) -> None:
    """Completing a result after the last read runs in the step that ends the operation."""
    admission = Admission(max_running=4, max_heavy=2, heavy_seconds=0.01)

    async def operation() -> None:
        async with admission.admit(HEAVY):
            await asyncio.sleep(0.05)  # waiting: not charged
            burn(0.03)

    await asyncio.create_task(operation())  # a task of the metered loop, as a request's is
    cost = admission.cost(HEAVY)
    assert cost is not None and cost >= 0.03


async def test_cheap_operations_pass_heavy_ones_that_wait() -> None:
    admission = Admission(max_running=3, max_heavy=1, heavy_seconds=0.03)
    admission.observe_run(HEAVY, 1.0)
    release = asyncio.Event()
    first_heavy, second_heavy, cheap = asyncio.Event(), asyncio.Event(), asyncio.Event()
    tasks = [asyncio.create_task(hold(admission, HEAVY, first_heavy, release)),
             asyncio.create_task(hold(admission, HEAVY, second_heavy, release))]
    await asyncio.wait_for(first_heavy.wait(), 1)
    tasks.append(asyncio.create_task(hold(admission, CHEAP, cheap, release)))
    await asyncio.wait_for(cheap.wait(), 1)  # a free slot, although a heavy operation waits
    assert not second_heavy.is_set()
    release.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 1)
    assert second_heavy.is_set()


async def test_running_operations_are_bounded_and_a_long_wait_is_refused() -> None:
    admission = Admission(max_running=2, max_heavy=1, heavy_seconds=0.03, wait_seconds=0.05)
    release = asyncio.Event()
    entered = [asyncio.Event(), asyncio.Event()]
    tasks = [asyncio.create_task(hold(admission, CHEAP, e, release)) for e in entered]
    await asyncio.wait_for(asyncio.gather(*(e.wait() for e in entered)), 1)
    with pytest.raises(ServerBusy, match="busy"):
        async with admission.admit(CHEAP):
            pass
    release.set()
    await asyncio.gather(*tasks)
    async with admission.admit(CHEAP):  # slots are given back
        pass


def test_one_worker_without_redis_one_per_core_with_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert default_workers(Settings(REDIS_URL=None)) == 1
    assert default_workers(Settings(REDIS_URL="redis://127.0.0.1:6379/0")) == 2
    assert default_workers(Settings(REDIS_URL=None, ALMANAC_WORKERS=3)) == 3


def test_gc_threshold_setting() -> None:
    assert parse_threshold("50000,20,100") == (50000, 20, 100)
    assert parse_threshold("") == (700, 10, 10)
    with pytest.raises(ValueError, match="three"):
        parse_threshold("1,2")
    before = gc.get_threshold()
    try:
        tune_gc(freeze=False, threshold="1234,5,6")
        assert gc.get_threshold() == (1234, 5, 6)
    finally:
        gc.set_threshold(*before)


async def test_a_metered_operation_is_cancelled_like_any_other(metered: None) -> None:
    """Every task's coroutine is wrapped (server.cpu_meter): cancellation and results pass through it."""
    admission = Admission(max_running=2, max_heavy=1, heavy_seconds=0.03)
    entered = asyncio.Event()

    async def operation() -> None:
        async with admission.admit(HEAVY):
            entered.set()
            await asyncio.sleep(3600)

    running = asyncio.create_task(operation())
    await entered.wait()
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    assert admission.cost(HEAVY) is not None  # a cancelled run is measured too

    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    assert await asyncio.create_task(answer()) == 42


async def test_admission_meters_the_loop_when_the_lifespan_starts_it_not_when_it_is_made() -> None:
    loop = asyncio.get_running_loop()
    before = loop.get_task_factory()
    loop.set_task_factory(None)
    try:
        Admission(max_running=2, max_heavy=1, heavy_seconds=0.03)
        assert loop.get_task_factory() is None
        admission = start_admission(Settings(ALMANAC_HEAVY_OPERATION_MS=40, ALMANAC_MAX_HEAVY_OPERATIONS=3),
                                    max_running=5)
        assert loop.get_task_factory() is not None
        assert (admission.heavy_seconds, admission.max_heavy, admission.max_running) == (0.04, 3, 5)
    finally:
        loop.set_task_factory(before)
