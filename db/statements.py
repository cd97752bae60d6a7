"""Counts SQL statements per unit of work (a request, a test, a benchmark run).

A ContextVar holds the current counter, so concurrent requests count apart.
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


_current: ContextVar[StatementCounter | None] = ContextVar("statement_counter", default=None)
_installed: set[int] = set()


def _on_execute(*_args: Any, **_kwargs: Any) -> None:
    counter = _current.get()
    if counter is not None:
        counter.count += 1


def install(sync_engine: Engine) -> None:
    """Hook the counter into an engine once."""
    if id(sync_engine) not in _installed:
        event.listen(sync_engine, "before_cursor_execute", _on_execute)
        _installed.add(id(sync_engine))


@contextmanager
def counting() -> Iterator[StatementCounter]:
    counter = StatementCounter()
    token = _current.set(counter)
    try:
        yield counter
    finally:
        _current.reset(token)
