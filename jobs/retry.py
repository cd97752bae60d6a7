"""Transient failures become ``arq.Retry`` with exponential backoff, a bounded number of times.

Only failures that a later try can cure are transient: a lost connection, a
serialization failure or deadlock, a server shutting down or out of
connections. Anything else (a statement the driver refuses, such as one with
more than 32,767 parameters, a constraint violation, a bug) fails the same way
every time, so it is raised at once instead of being retried.
"""
from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from arq import Retry
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import DBAPIError, OperationalError

MAX_TRIES = 5
# serialization failure, deadlock, admin shutdown, too many connections
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "57P01", "53300"})
T = TypeVar("T")


def backoff_seconds(job_try: int) -> float:
    """5 s, 10 s, 20 s, 40 s ... capped at 10 minutes."""
    return float(min(5 * 2 ** (job_try - 1), 600))


def is_transient(error: BaseException) -> bool:
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        cause = getattr(error.orig, "__cause__", None)
        if isinstance(error, OperationalError) or isinstance(cause, OSError):
            return True
        state = getattr(error.orig, "sqlstate", None) or getattr(cause, "sqlstate", None)
        return state in TRANSIENT_SQLSTATES
    return isinstance(error, (ConnectionError, TimeoutError, asyncio.TimeoutError, RedisConnectionError, OSError))


def retry_transient(job: Callable[..., Awaitable[T]]) -> Callable[..., Coroutine[Any, Any, T]]:
    """Raise ``Retry(defer=...)`` for a transient error until ``MAX_TRIES``; re-raise after."""

    @functools.wraps(job)
    async def wrapper(ctx: dict[str, Any], *args: Any) -> T:
        try:
            return await job(ctx, *args)
        except Exception as error:
            job_try = int(ctx.get("job_try", 1))
            if is_transient(error) and job_try < MAX_TRIES:
                raise Retry(defer=backoff_seconds(job_try)) from error
            raise

    return wrapper
