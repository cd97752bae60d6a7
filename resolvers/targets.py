"""Mutation targets, loaded through their access policy (``db.policies``).

An id the caller may not read answers NOT_FOUND with the same message as an id
that does not exist, so a mutation cannot be used to learn that a private row
exists (or, by copying it somewhere readable, what it says).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import func, select

from db.base import IdMixin
from db.policies import policy_for
from db.policies.write import EditablePolicy
from resolvers.mutation import not_found
from schema.core.errors import DomainError, ErrorCode
from server.context import Context

M = TypeVar("M", bound=IdMixin)


async def readable_target(ctx: Context, model: type[M], pk: int, what: str, field: str | None, *,
                          fresh: bool = False) -> M:
    """The row ``pk`` of ``model`` if the caller may read it; NOT_FOUND otherwise.

    ``fresh`` re-reads a row the session already holds (e.g. positions another request moved).
    """
    stmt = policy_for(model).select(ctx.viewer).where(model.id == pk)
    if fresh:
        stmt = stmt.execution_options(populate_existing=True)
    row: M | None = await ctx.session.scalar(stmt)
    if row is None:
        raise not_found(what, field)
    return row


async def all_readable(ctx: Context, model: Any, ids: Sequence[int], what: str, field: str) -> None:
    """Every id names a row the caller may read (one statement); NOT_FOUND otherwise."""
    if not ids:
        return
    found = await ctx.session.scalar(
        select(func.count()).select_from(model).where(model.id.in_(list(ids)), policy_for(model).readable(ctx.viewer))
    )
    if found != len(set(ids)):
        raise not_found(what, field)


async def editable_target(ctx: Context, policy: EditablePolicy, pk: int, what: str, field: str | None, *,
                          for_update: bool = False) -> Any:
    """The row ``pk`` if the caller may change it (one statement).

    NOT_FOUND when they may not read it (as for a missing id); PERMISSION_DENIED when
    they may read it but the policy's write rule (``editable``) excludes them.
    """
    model = policy.model
    stmt = select(model, policy.editable(ctx.viewer)).where(model.id == pk, policy.readable(ctx.viewer))
    if for_update:
        stmt = stmt.with_for_update(of=model).execution_options(populate_existing=True)
    found = (await ctx.session.execute(stmt)).first()
    if found is None:
        raise not_found(what, field)
    row, may_edit = found
    if not may_edit:
        raise DomainError.one(ErrorCode.PERMISSION_DENIED, f"Only {policy.editors} may change this {what.lower()}.",
                              field)
    return row
