"""Admission control: how many GraphQL operations run at once in this process, and how many heavy ones.

One process runs Python on one core, so past a handful of operations in flight more
concurrency only adds waiting (and holds database connections: each running operation
has at most one). Operations beyond ``max_running`` wait here, in arrival order, before
they touch the database, so the pool is never exhausted by GraphQL traffic.

Heavy operations (a calendar month, a board of 1,000 cards) would otherwise fill every
slot under load and leave a cheap ``me { id }`` queued behind seconds of work: at most
``max_heavy`` of them run at once, so the other slots stay free for cheap ones. What is
heavy is learned, not declared: each operation shape (its document and operation name,
whatever the variables) keeps a moving average of the loop time its runs took
(``server.cpu_meter``: the time in its own task steps, not its wall time), and a shape whose
average reaches ``heavy_seconds`` (``ALMANAC_HEAVY_OPERATION_MS``) is heavy. A shape never seen
before counts as cheap until its first run ends.

The cost is the shape's own, not relative to other operations, and not wall time: under
load every operation's wall time is mostly waiting for the same loop, so wall times converge.
With the answer cache off a task page and a calendar month both took ~1.5 s of wall time,
nothing was 4x the average any more, and task pages waited behind calendar months (issue 12).
A calendar month answered from ``schema.core.answer_cache`` costs a few milliseconds of loop
time and is not heavy, though its answer is 2.5 MB.

A wait longer than ``wait_seconds`` ends with SERVER_BUSY (HTTP 503, ``Retry-After``).
"""
from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any

import structlog

from server import cpu_meter
from server.settings import Settings

log = structlog.get_logger(__name__)

ADMISSION_KEY = "admission"  # AppState.extras
RETRY_AFTER_BUSY_SECONDS = 2
MAX_SHAPES = 1000  # the costs of this many operation shapes are remembered (least recently used dropped)
SMOOTHING = 0.3  # weight of the newest run's loop time in a shape's moving average


Shape = tuple[str, str | None]  # (document, operation name)


class ServerBusy(Exception):
    def __init__(self, waited_seconds: float) -> None:
        super().__init__(f"The server is busy; waited {waited_seconds:.0f} s for a slot.")
        self.waited_seconds = waited_seconds


class Admission:
    def __init__(self, *, max_running: int, max_heavy: int, heavy_seconds: float, wait_seconds: float = 20.0) -> None:
        self.max_running = max_running
        self.max_heavy = min(max_heavy, max_running)
        self.heavy_seconds = heavy_seconds
        self.wait_seconds = wait_seconds
        self._running = asyncio.Semaphore(max_running)
        self._heavy = asyncio.Semaphore(self.max_heavy)
        self._costs: OrderedDict[Shape, float] = OrderedDict()  # a shape's loop seconds per run, moving average

    def is_heavy(self, shape: Shape) -> bool:
        cost = self._costs.get(shape)
        return cost is not None and cost >= self.heavy_seconds

    def cost(self, shape: Shape) -> float | None:
        return self._costs.get(shape)

    def observe_run(self, shape: Shape, seconds: float) -> None:
        """The loop time one run of ``shape`` took."""
        previous = self._costs.pop(shape, None)
        self._costs[shape] = seconds if previous is None else previous + SMOOTHING * (seconds - previous)
        if len(self._costs) > MAX_SHAPES:
            self._costs.popitem(last=False)

    def admit(self, shape: Shape) -> Slot:
        """Hold a slot (and a heavy one, when the shape is heavy) while the operation runs."""
        return Slot(self, shape)

    async def _acquire(self, semaphore: asyncio.Semaphore, deadline: float) -> None:
        if not semaphore.locked():  # a slot is free and nobody waits: taken at once, no timer to arm and cancel
            await semaphore.acquire()
            return
        remaining = deadline - asyncio.get_running_loop().time()
        try:
            async with asyncio.timeout(max(remaining, 0)):
                await semaphore.acquire()
        except TimeoutError:
            raise ServerBusy(self.wait_seconds) from None


class Slot:
    """``async with admission.admit(shape)``: a class, not a generator's context manager, since it
    wraps every operation (an async generator is registered with and tracked by the event loop)."""

    __slots__ = ("admission", "heavy", "meter", "shape", "token")

    def __init__(self, admission: Admission, shape: Shape) -> None:
        self.admission = admission
        self.shape = shape

    async def __aenter__(self) -> None:
        admission = self.admission
        deadline = asyncio.get_running_loop().time() + admission.wait_seconds
        self.heavy = admission.is_heavy(self.shape)
        if self.heavy:
            await admission._acquire(admission._heavy, deadline)
        try:
            await admission._acquire(admission._running, deadline)
        except BaseException:
            if self.heavy:
                admission._heavy.release()
            raise
        self.meter, self.token = cpu_meter.start()

    async def __aexit__(self, *_: object) -> None:
        admission = self.admission
        try:
            try:
                cpu_meter.stop(self.meter, self.token)
            finally:
                admission._running.release()
            admission.observe_run(self.shape, self.meter.seconds)
        finally:
            if self.heavy:
                admission._heavy.release()


def start_admission(settings: Settings, *, max_running: int) -> Admission:
    """The lifespan's admission control, with the running loop's tasks metered from now on
    (``cpu_meter.install``; a loop with a task factory of its own is left alone: every shape then reads
    as cheap, logged)."""
    if not cpu_meter.install(asyncio.get_running_loop()):
        log.warning("admission.unmetered", reason="the event loop has a task factory of its own")
    return Admission(max_running=max_running, max_heavy=settings.max_heavy_operations,
                     heavy_seconds=settings.heavy_operation_ms / 1000)


def admission_of(state: Any) -> Admission | None:
    """The app's admission control (``server.app.AppState``), once the lifespan has made it."""
    extras: dict[str, Any] = state.extras
    admission: Admission | None = extras.get(ADMISSION_KEY)
    return admission
