"""Counts SQL statements per unit of work (a request, a test, a benchmark run) and per process.

A ContextVar holds the active counters, so concurrent requests count apart.
``counting()`` blocks nest: every active counter sees every statement, so a
test's counter around a request and the request's own (metrics) both count it.

Two sources, so that the count is what PostgreSQL receives:

- ``install(engine)``: every statement SQLAlchemy executes (``before_cursor_execute``);
- ``CountingConnection`` (the engine's asyncpg connection class, see ``db.engine``):
  what the driver sends beside them: BEGIN/COMMIT/ROLLBACK, pings, type introspection.

``TOTALS`` is the process-wide tally by kind, exported at ``/metrics``. An executemany is
one round trip for the counters (what the statement-count tests hold constant) but one
execution per parameter set for ``TOTALS``, as PostgreSQL sees it.
"""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from asyncpg.connection import Connection  # type: ignore[import-untyped]
from sqlalchemy import event
from sqlalchemy.engine import Engine

DATA, TRANSACTION, PING, INTROSPECTION = "data", "transaction", "ping", "introspection"
TOTALS: dict[str, int] = {DATA: 0, TRANSACTION: 0, PING: 0, INTROSPECTION: 0}
_TRANSACTION_WORDS = ("BEGIN", "START", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "END")


@dataclass(slots=True)
class StatementCounter:
    count: int = 0
    # Of ``count``, asyncpg's type look-ups: made once per fresh pool connection, so they belong
    # to whichever operation happened to get that connection, not to the operation's own work.
    introspection: int = 0

    @property
    def own(self) -> int:
        """The statements the counted work itself ran (its connection's one-time look-ups aside)."""
        return self.count - self.introspection


_active: ContextVar[tuple[StatementCounter, ...]] = ContextVar("statement_counters", default=())
_installed: set[int] = set()


def count(kind: str, executions: int = 1) -> None:
    TOTALS[kind] += executions
    for counter in _active.get():
        counter.count += 1
        if kind == INTROSPECTION:
            counter.introspection += 1


def _on_execute(_conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, executemany: bool) -> None:
    count(DATA, len(parameters) if executemany and isinstance(parameters, (list, tuple)) else 1)


def install(sync_engine: Engine) -> None:
    """Hook the counter into an engine once."""
    if id(sync_engine) not in _installed:
        event.listen(sync_engine, "before_cursor_execute", _on_execute)
        _installed.add(id(sync_engine))


def kind_of(query: str) -> str:
    text = query.lstrip().upper()
    if not text.strip("; "):
        return PING
    return TRANSACTION if text.startswith(_TRANSACTION_WORDS) else DATA


class CountingConnection(Connection):  # type: ignore[misc]  # asyncpg is untyped
    """asyncpg's connection, counting the statements SQLAlchemy's cursor events never see.

    SQLAlchemy runs its own statements as prepared statements (not through these methods);
    asyncpg's transactions call ``execute`` and SQLAlchemy's ping calls ``fetchrow``.
    """

    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:  # noqa: ASYNC109 (asyncpg's signature)
        count(kind_of(query))
        result: str = await super().execute(query, *args, timeout=timeout)
        return result

    async def fetch(self, query: str, *args: Any, **kwargs: Any) -> Any:
        count(kind_of(query))
        return await super().fetch(query, *args, **kwargs)

    async def fetchrow(self, query: str, *args: Any, **kwargs: Any) -> Any:
        count(kind_of(query))
        return await super().fetchrow(query, *args, **kwargs)

    async def fetchval(self, query: str, *args: Any, **kwargs: Any) -> Any:
        count(kind_of(query))
        return await super().fetchval(query, *args, **kwargs)

    async def _introspect_types(self, typeoids: Any, timeout: Any) -> Any:  # noqa: ASYNC109
        # asyncpg looks up unknown type OIDs; on a server with JIT it first reads and turns off the
        # jit setting, and sets it back afterwards unless it was off already (db/engine.py turns it off).
        jit = bool(getattr(getattr(self, "_server_caps", None), "jit", False))
        settings = getattr(getattr(self, "_params", None), "server_settings", None) or {}
        restores = jit and settings.get("jit") != "off"
        count(INTROSPECTION, 1 + jit + restores)
        return await super()._introspect_types(typeoids, timeout)


def current() -> StatementCounter | None:
    """The innermost active counter, if any."""
    active = _active.get()
    return active[-1] if active else None


class Counting:
    """``with counting() as counter``: a plain class, not a generator (it wraps every GraphQL operation)."""

    __slots__ = ("counter", "token")

    def __enter__(self) -> StatementCounter:
        self.counter = StatementCounter()
        self.token = _active.set((*_active.get(), self.counter))
        return self.counter

    def __exit__(self, *_: object) -> None:
        try:
            _active.reset(self.token)
        except ValueError:  # left in another context: an async generator finalised by the loop at shutdown
            _active.set(tuple(c for c in _active.get() if c is not self.counter))


def counting() -> Counting:
    """Count statements until the block ends, alongside any enclosing counters."""
    return Counting()
