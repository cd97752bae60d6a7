"""Admission control: how many GraphQL operations run at once in this process, and how many heavy ones.

One process runs Python on one core, so past a handful of operations in flight more
concurrency only adds waiting (and holds database connections: each running operation
has at most one). Operations beyond ``max_running`` wait here, in arrival order, before
they touch the database, so the pool is never exhausted by GraphQL traffic.

Heavy operations (a calendar month, a board of 1,000 cards) would otherwise fill every
slot under load and leave a cheap ``me { id }`` queued behind seconds of work: at most
``max_heavy`` of them run at once, so the other slots stay free for cheap ones. What is
heavy is learned, not declared: the response size of each operation shape (its document
and operation name, whatever the variables), as a moving average. A shape never seen
before counts as cheap until its first answer. A large answer that runs briefly is not
heavy: a calendar month answered from ``schema.core.answer_cache`` is 2.5 MB but holds its
slot for less time than a page of tasks, and queueing it among the heavy ones only made it
wait (issue 12's mixed load: calendar and board p50 1.8 s, tasks 0.4 s). So a shape is heavy
when its answers are large and its runs (time holding a slot, a moving average) take at least
``HEAVY_TIME_FACTOR`` times the average operation's; a shape with a size but no timing yet
counts as heavy.

A wait longer than ``wait_seconds`` ends with SERVER_BUSY (HTTP 503, ``Retry-After``).
"""
from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

ADMISSION_KEY = "admission"  # AppState.extras
RETRY_AFTER_BUSY_SECONDS = 2
MAX_SHAPES = 1000  # the sizes of this many operation shapes are remembered (least recently used dropped)
SMOOTHING = 0.3  # weight of the newest response size (and run time) in a shape's moving average
OVERALL_SMOOTHING = 0.02  # weight of the newest run time in the average over all operations
HEAVY_TIME_FACTOR = 4.0


Shape = tuple[str, str | None]  # (document, operation name)


class ServerBusy(Exception):
    def __init__(self, waited_seconds: float) -> None:
        super().__init__(f"The server is busy; waited {waited_seconds:.0f} s for a slot.")
        self.waited_seconds = waited_seconds


class Admission:
    def __init__(self, *, max_running: int, max_heavy: int, heavy_bytes: int, wait_seconds: float = 20.0) -> None:
        self.max_running = max_running
        self.max_heavy = min(max_heavy, max_running)
        self.heavy_bytes = heavy_bytes
        self.wait_seconds = wait_seconds
        self._running = asyncio.Semaphore(max_running)
        self._heavy = asyncio.Semaphore(self.max_heavy)
        self._sizes: OrderedDict[Shape, float] = OrderedDict()
        self._seconds: dict[Shape, float] = {}  # a shape's run time; dropped with its size
        self._overall_seconds = 0.0

    def is_heavy(self, shape: Shape) -> bool:
        size = self._sizes.get(shape)
        if size is None or size < self.heavy_bytes:
            return False
        seconds = self._seconds.get(shape)
        return seconds is None or seconds >= HEAVY_TIME_FACTOR * self._overall_seconds

    def observe(self, shape: Shape, response_bytes: int) -> None:
        previous = self._sizes.pop(shape, None)
        size = response_bytes if previous is None else previous + SMOOTHING * (response_bytes - previous)
        self._sizes[shape] = size
        if len(self._sizes) > MAX_SHAPES:
            dropped, _ = self._sizes.popitem(last=False)
            self._seconds.pop(dropped, None)

    def observe_run(self, shape: Shape, seconds: float) -> None:
        """How long one run of ``shape`` held its slot."""
        previous = self._seconds.get(shape)
        if previous is not None or shape in self._sizes:  # only shapes with a size are remembered
            self._seconds[shape] = seconds if previous is None else previous + SMOOTHING * (seconds - previous)
        self._overall_seconds += OVERALL_SMOOTHING * (seconds - self._overall_seconds)

    @asynccontextmanager
    async def admit(self, shape: Shape) -> AsyncIterator[None]:
        """Hold a slot (and a heavy one, when the shape is heavy) while the operation runs."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_seconds
        heavy = self.is_heavy(shape)
        if heavy:
            await self._acquire(self._heavy, deadline)
        try:
            await self._acquire(self._running, deadline)
            started = loop.time()
            try:
                yield
            finally:
                self._running.release()
                self.observe_run(shape, loop.time() - started)
        finally:
            if heavy:
                self._heavy.release()

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


def admission_of(state: Any) -> Admission | None:
    """The app's admission control (``server.app.AppState``), once the lifespan has made it."""
    extras: dict[str, Any] = state.extras
    admission: Admission | None = extras.get(ADMISSION_KEY)
    return admission
