"""Which job failures are retried: only those a later try can cure."""
from __future__ import annotations

from typing import Any

import pytest
from arq import Retry
from sqlalchemy import literal, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from jobs.retry import is_transient, retry_transient


async def driver_error(engine: AsyncEngine, statement: Any) -> DBAPIError:
    async with engine.connect() as conn:
        with pytest.raises(DBAPIError) as raised:
            await conn.execute(statement)
    return raised.value


async def test_a_statement_over_the_parameter_limit_is_permanent(engine: AsyncEngine) -> None:
    # given the driver's refusal of a statement with more than 32,767 parameters
    too_many = select(literal(1)).where(literal(1).in_([literal(i) for i in range(33_000)]))
    error = await driver_error(engine, too_many)
    assert "32767" in str(error)

    # then it is not transient, and a job failing with it is not retried
    assert not is_transient(error)

    @retry_transient
    async def job(ctx: dict[str, Any]) -> None:
        raise error

    with pytest.raises(DBAPIError):
        await job({"job_try": 1})


async def test_an_error_in_the_statement_is_permanent(engine: AsyncEngine) -> None:
    error = await driver_error(engine, text("SELECT 1/0"))
    assert not is_transient(error)


async def test_a_serialization_failure_and_a_lost_connection_are_retried(engine: AsyncEngine) -> None:
    error = await driver_error(engine, text(
        "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END $$"))
    assert is_transient(error)
    assert is_transient(ConnectionRefusedError("database restarting"))

    @retry_transient
    async def job(ctx: dict[str, Any]) -> None:
        raise error

    with pytest.raises(Retry):
        await job({"job_try": 1})
