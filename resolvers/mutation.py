"""Runs a mutation's work and turns expected failures into payload ``errors``.

Resolvers raise ``DomainError`` for validation, permission, not-found and
transition failures. Constraint violations that PostgreSQL catches (a unique
key taken by a racing request, an overlapping booking, a CHECK) map to typed
codes too, so a race never surfaces as a 500.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError

from schema.core.errors import DomainError, ErrorCode, UserError
from server.context import Context

P = TypeVar("P")

_SQLSTATE_CODES: dict[str, tuple[ErrorCode, str]] = {
    "23505": (ErrorCode.CONFLICT, "Something with the same key already exists."),
    "23P01": (ErrorCode.CONFLICT, "This overlaps something that already exists."),
    "23514": (ErrorCode.VALIDATION, "The values break a rule (e.g. start must be before end)."),
    "23503": (ErrorCode.NOT_FOUND, "A referenced object does not exist."),
    "23502": (ErrorCode.VALIDATION, "A required value is missing."),
    "40001": (ErrorCode.CONFLICT, "A concurrent change got there first; try again."),
    "40P01": (ErrorCode.CONFLICT, "A concurrent change got there first; try again."),
}


def sqlstate(error: DBAPIError) -> str | None:
    orig = error.orig
    for candidate in (orig, getattr(orig, "__cause__", None)):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if code:
            return str(code)
    return None


def constraint_name(error: DBAPIError) -> str | None:
    orig = error.orig
    for candidate in (orig, getattr(orig, "__cause__", None)):
        name = getattr(candidate, "constraint_name", None)
        if name:
            return str(name)
    return None


def database_user_error(error: DBAPIError) -> UserError:
    state = sqlstate(error) or ""
    code, message = _SQLSTATE_CODES.get(state, (ErrorCode.VALIDATION, "The input was rejected."))
    if state.startswith("22"):  # data exceptions: too long, out of range, bad format
        code, message = ErrorCode.VALIDATION, "A value is out of range or badly formed."
    name = constraint_name(error)
    return UserError(code=code, field=None, message=f"{message} ({name})" if name else message)


async def run_mutation(
    ctx: Context,
    work: Callable[[], Awaitable[P]],
    failed: Callable[[list[UserError]], P],
) -> P:
    """Run ``work``; on an expected failure roll back and return ``failed(errors)``."""
    try:
        return await work()
    except DomainError as error:
        await ctx.session.rollback()
        return failed(error.errors)
    except (IntegrityError, DBAPIError) as error:
        await ctx.session.rollback()
        if isinstance(error, IntegrityError) or (sqlstate(error) or "").startswith(("22", "23", "40")):
            return failed([database_user_error(error)])
        raise


def validation(message: str, field: str | None = None) -> DomainError:
    return DomainError.one(ErrorCode.VALIDATION, message, field)


def not_found(what: str, field: str | None = "id") -> DomainError:
    return DomainError.one(ErrorCode.NOT_FOUND, f"{what} not found.", field)
