"""The event loop's time spent on one operation: the sum of its tasks' steps, not its wall time.

An operation's wall time under load is mostly waiting: for the loop while other operations
run, and for PostgreSQL. On one loop a long operation and a short one wait for the same
turns, so their wall times converge (issue 12's mixed load with the answer cache off: a task
page and a calendar month both took ~1.5 s) and say nothing about which one holds the loop.

A task's step (``coroutine.send``) runs without interruption, so timing every step and
adding it to the meter of the operation the task works for measures what the operation
costs the loop. The clock is ``time.perf_counter`` (~0.1 us a call), not the thread's CPU
time: ``thread_time`` is a system call here (~1.8 us, and two per step), which made the meter
~10 % of a ``{ __typename }``'s CPU (py-spy, issue 12). A step's wall time also charges the
moments the kernel ran another process, which on a shared machine inflates every shape alike;
heaviness is an average over runs against ``ALMANAC_HEAVY_OPERATION_MS``, far above that noise.

The meter is found through a context variable: ``start()`` sets it in the request's task, and
every task created while it is set (graphql-core's gathered fields, dataloader batches) copies
the context and counts toward it too. A task doing work for several operations at once (the
budget script of a turn's operations) is made with ``task_for``, which shares its time out.

Not counted: work outside task steps (transport and protocol callbacks: asyncpg decoding
rows, uvicorn parsing requests) and the response's encoding after the operation; measured
against the worker's CPU time for single requests, the meter saw 55-65 % of it (calendar
month ~90 of 140-170 ms, board 17-23 of 30-60 ms, task page ~15 of 10-30 ms).

Every task of the loop is wrapped (``install``, once, by the app's lifespan): a task is created
before anyone knows it will run an operation. The wrapper delegates everything else to the coroutine, so code that
inspects ``task.get_coro()`` (anyio's ``getcoroutinestate``) sees the coroutine's state.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Generator, Sequence
from contextvars import ContextVar, Token, copy_context
from time import perf_counter as clock
from typing import Any, TypeVar

T = TypeVar("T")


class Meter:
    """Loop time (``perf_counter``) spent on one operation's steps."""

    __slots__ = ("opened", "seconds")

    def __init__(self) -> None:
        self.seconds = 0.0
        self.opened = clock()

    def charge(self, seconds: float) -> None:
        self.seconds += seconds


class Shared(Meter):
    """Work done for several operations at once (one Redis script for the operations of a turn of the
    loop): each is charged an equal share, instead of all of it going to whichever came first."""

    __slots__ = ("meters",)

    def __init__(self, meters: list[Meter]) -> None:
        super().__init__()
        self.meters = meters

    def charge(self, seconds: float) -> None:
        share = seconds / len(self.meters)
        for meter in self.meters:
            meter.seconds += share


_current: ContextVar[Meter | None] = ContextVar("almanac_cpu_meter", default=None)


def start() -> tuple[Meter, Token[Meter | None]]:
    """A new meter for the calling task (and the tasks it creates from now on); ``stop`` with the token."""
    meter = Meter()
    return meter, _current.set(meter)


def stop(meter: Meter, token: Token[Meter | None]) -> None:
    """End the meter, charging it the step that stops it: that step's own time is otherwise added
    only when the step ends, after the caller has read ``meter.seconds`` (the work after an
    operation's last ``await``, such as completing its result, went uncounted)."""
    meter.charge(clock() - max(_step_began, meter.opened))
    _current.reset(token)


def current() -> Meter | None:
    """The meter of the operation the calling task works for."""
    return _current.get()


def task_for(meters: Sequence[Meter | None], coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
    """A task doing work on behalf of ``meters``' operations (none: of no operation), charged to them
    in equal shares. A task otherwise counts toward the meter set where it was created, which for
    a loop callback is whoever scheduled it."""
    counted = [meter for meter in meters if meter is not None]
    context = copy_context()
    context.run(_current.set, None if not counted else counted[0] if len(counted) == 1 else Shared(counted))
    return asyncio.get_running_loop().create_task(coro, context=context)


_step_began = 0.0  # when the running metered step began


class Timed(Coroutine[Any, Any, Any]):
    """A coroutine whose steps, taken while an operation's meter is set, are charged to it."""

    __slots__ = ("_coro",)

    def __init__(self, coro: Coroutine[Any, Any, Any]) -> None:
        self._coro = coro

    def send(self, value: Any) -> Any:
        return self._step(self._coro.send, value)

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        if val is None and tb is None:  # asyncio throws an instance; the three-argument form is deprecated
            return self._step(self._coro.throw, typ)
        return self._step(self._coro.throw, typ, val, tb)

    def _step(self, advance: Callable[..., Any], *args: Any) -> Any:
        meter = _current.get()
        if meter is None:
            try:
                return advance(*args)
            finally:
                _opened_here()
        global _step_began
        began = _step_began = clock()
        try:
            return advance(*args)
        finally:
            meter.charge(clock() - began)

    def close(self) -> None:
        self._coro.close()

    def __await__(self) -> Generator[Any, None, Any]:
        return self._coro.__await__()

    def __getattr__(self, name: str) -> Any:  # cr_frame, cr_running, cr_code ...: the coroutine's own
        return getattr(self._coro, name)

    def __repr__(self) -> str:
        return repr(self._coro)


def _opened_here() -> None:
    """A meter started during this step: charge the step from that moment."""
    meter = _current.get()
    if meter is not None:
        meter.charge(clock() - meter.opened)


def _factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Future[Any]:
    if asyncio.iscoroutine(coro) and not isinstance(coro, Timed):
        coro = Timed(coro)
    return asyncio.Task(coro, loop=loop, **kwargs)


def install(loop: asyncio.AbstractEventLoop) -> bool:
    """Time the loop's tasks from now on; False when the loop has a task factory of its own (then meters read 0)."""
    factory = loop.get_task_factory()
    if factory is None:
        loop.set_task_factory(_factory)
        return True
    return factory is _factory
