"""Capacity settings: admission control, worker default, GC settings."""
from __future__ import annotations

import asyncio
import gc

import pytest

from server.admission import Admission, ServerBusy
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


async def test_heaviness_is_learned_from_response_sizes() -> None:
    admission = Admission(max_running=4, max_heavy=1, heavy_bytes=10_000)
    assert not admission.is_heavy(HEAVY)  # unknown: cheap until its first answer
    admission.observe(HEAVY, 2_500_000)
    admission.observe(CHEAP, 40)
    assert admission.is_heavy(HEAVY) and not admission.is_heavy(CHEAP)
    for _ in range(20):
        admission.observe(HEAVY, 100)  # the same shape answering small now (a narrower window)
    assert not admission.is_heavy(HEAVY)


async def test_a_large_answer_that_runs_briefly_is_not_heavy() -> None:
    """A kept calendar (schema.core.answer_cache) answers 2.5 MB in less time than a task page takes."""
    admission = Admission(max_running=4, max_heavy=1, heavy_bytes=10_000)
    admission.observe(HEAVY, 2_500_000)
    admission.observe(CHEAP, 40)
    for _ in range(30):
        admission.observe_run(CHEAP, 0.010)
        admission.observe_run(HEAVY, 0.005)
    assert not admission.is_heavy(HEAVY)
    for _ in range(5):
        admission.observe_run(HEAVY, 0.200)  # computed afresh again (the data changes): heavy again
    assert admission.is_heavy(HEAVY) and not admission.is_heavy(CHEAP)


async def test_run_time_is_measured_while_the_slot_is_held() -> None:
    admission = Admission(max_running=4, max_heavy=1, heavy_bytes=10_000)
    admission.observe(HEAVY, 2_500_000)
    for _ in range(10):
        async with admission.admit(CHEAP):
            pass
    async with admission.admit(HEAVY):  # still heavy (no run time yet): takes the heavy slot
        await asyncio.sleep(0.05)
    assert admission.is_heavy(HEAVY)
    for _ in range(20):
        async with admission.admit(HEAVY):
            pass
    assert not admission.is_heavy(HEAVY)


async def test_cheap_operations_pass_heavy_ones_that_wait() -> None:
    admission = Admission(max_running=3, max_heavy=1, heavy_bytes=10_000)
    admission.observe(HEAVY, 1_000_000)
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
    admission = Admission(max_running=2, max_heavy=1, heavy_bytes=10_000, wait_seconds=0.05)
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
