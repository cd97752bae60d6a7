"""Counts SQL statements per unit of work (a request, a test, a benchmark run).

A ContextVar holds the active counters, so concurrent requests count apart.
``counting()`` blocks nest: every active counter sees every statement, so a
test's counter around a request and the request's own (metrics) both count it.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass(slots=True)
class StatementCounter:
    count: int = 0


_active: ContextVar[tuple[StatementCounter, ...]] = ContextVar("statement_counters", default=())
_installed: set[int] = set()


def _on_execute(*_args: Any, **_kwargs: Any) -> None:
    for counter in _active.get():
        counter.count += 1


def install(sync_engine: Engine) -> None:
    """Hook the counter into an engine once."""
    if id(sync_engine) not in _installed:
        event.listen(sync_engine, "before_cursor_execute", _on_execute)
        _installed.add(id(sync_engine))


def current() -> StatementCounter | None:
    """The innermost active counter, if any."""
    active = _active.get()
    return active[-1] if active else None


@contextmanager
def counting() -> Iterator[StatementCounter]:
    """Count statements until the block ends, alongside any enclosing counters."""
    counter = StatementCounter()
    token = _active.set((*_active.get(), counter))
    try:
        yield counter
    finally:
        _active.reset(token)
