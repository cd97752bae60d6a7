"""What a job finds in ``ctx`` (the same keys under arq and in-process).

``sessionmaker`` (required), ``mailer`` (a ``server.mailer.Mailer`` or None when
``SMTP_URL`` is unset), ``settings``, and optionally ``clock`` (tests move time).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.mailer import Mailer

JobCtx = dict[str, Any]


def sessionmaker_of(ctx: JobCtx) -> async_sessionmaker[AsyncSession]:
    maker: async_sessionmaker[AsyncSession] = ctx["sessionmaker"]
    return maker


def mailer_of(ctx: JobCtx) -> Mailer | None:
    mailer: Mailer | None = ctx.get("mailer")
    return mailer


def now(ctx: JobCtx) -> datetime:
    clock: Callable[[], datetime] | None = ctx.get("clock")
    return clock() if clock is not None else datetime.now(UTC)


def job_ctx(sessionmaker: async_sessionmaker[AsyncSession], mailer: Mailer | None, settings: Any = None) -> JobCtx:
    return {"sessionmaker": sessionmaker, "mailer": mailer, "settings": settings}
