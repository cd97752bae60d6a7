"""What the versioned lifecycle mutations share: load the target, apply a versioned
update, and the typed errors for a stale version or a move the lifecycle forbids."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import UNSET

from db.policies import policy_for
from db.queries.versioned import update_versioned
from db.rules.lifecycles import InvalidMove
from resolvers import ppa_fields as f
from resolvers.mutation import not_found
from schema.core.errors import DomainError, ErrorCode
from schema.core.ids import decode_id
from server.context import Context

M = TypeVar("M")


async def target(ctx: Context, model: type[M], value: str, type_name: str, what: str,
                 field: str = "input.id") -> M:
    """The row if the caller may read it (``db.policies``); NOT_FOUND for an unreadable id as for a missing one."""
    pk = decode_id(value, type_name, field=field)
    row: M | None = await ctx.session.scalar(
        policy_for(model).select(ctx.viewer).where(model.id == pk)  # type: ignore[attr-defined]
    )
    if row is None:
        raise not_found(what, field)
    return row


async def changed_references(ctx: Context, input: object, references: Sequence[tuple[str, str, str]],
                             values: dict[str, Any]) -> None:
    """For each (attribute, type name, field) the input sets: the decoded id, checked to exist (null clears)."""
    for attr, type_name, field in references:
        value = getattr(input, attr)
        if value is not UNSET:
            values[attr] = await f.reference(ctx, value, type_name, field)


def stale(what: str) -> DomainError:
    return DomainError.one(ErrorCode.CONFLICT, f"The {what} was changed by someone else; reload it and try again.",
                           "input.expectedVersion")


def check_version(version: int, expected: int, what: str) -> None:
    """Before validating a move against the row read: a stale reader gets CONFLICT, not a
    transition error about a state they have not seen."""
    if version != expected:
        raise stale(what)


async def apply_versioned(session: AsyncSession, model: type[M], pk: int, expected_version: int,
                          values: dict[str, Any], what: str) -> M:
    row = await update_versioned(session, model, pk, expected_version, values)
    if row is None:
        raise stale(what)
    return row


def invalid_move(error: InvalidMove, field: str = "input.status") -> DomainError:
    return DomainError.one(ErrorCode.INVALID_TRANSITION, str(error), field)
