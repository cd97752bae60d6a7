"""What the versioned lifecycle mutations share: load the target, apply a versioned
update, log it, and the typed errors for a stale version or a move the lifecycle forbids."""
from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import UNSET

from db.enums import ChangeOp
from db.models import User
from db.policies import policy_for
from db.queries.logs import record_audit, record_change
from db.queries.versioned import update_versioned
from db.rules.lifecycles import InvalidMove
from resolvers import ppa_fields as f
from resolvers.mutation import not_found
from schema.core.errors import DomainError, ErrorCode
from schema.core.ids import decode_id
from server.context import Context

M = TypeVar("M")


class VersionedRow(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def version(self) -> int: ...


V = TypeVar("V", bound=VersionedRow)
Values = dict[str, Any]


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


def allowed_move(check: Callable[..., None], *args: Any, field: str = "input.status") -> None:
    """Run a lifecycle rule (``db.rules.lifecycles``): a move it forbids is INVALID_TRANSITION on ``field``."""
    try:
        check(*args)
    except InvalidMove as error:
        raise invalid_move(error, field) from None


@dataclass(frozen=True, slots=True)
class Versioned(Generic[V]):
    """A versioned entity as its update mutation names it."""

    model: type[V]
    type_name: str  # its global id type and change-log entity type: "ServiceRequest"
    what: str  # in messages: "Service request" (NOT_FOUND), "service request" (CONFLICT)
    snapshot: Callable[[V], Values]  # what the audit log keeps before and after


async def update_row(ctx: Context, kind: Versioned[V], id_value: str, expected_version: int, actor: User, *,
                     values: Values | Callable[[V], Awaitable[Values]],
                     change: Callable[[V], Values | Awaitable[Values]],
                     action: str = "update", narrows: bool = False) -> V:
    """Load the row the caller may read (NOT_FOUND), refuse a stale ``expected_version``
    (CONFLICT, before ``values`` judges a move against a state the caller has not seen), apply
    ``values`` (or what ``values(current)`` answers), and log the change (payload ``change(row)``;
    with ``narrows``, also who read it before, for removals) and the audit; then commit."""
    current = await target(ctx, kind.model, id_value, kind.type_name, kind.what)
    check_version(current.version, expected_version, kind.what.lower())
    before = kind.snapshot(current)
    former = await policy_for(kind.model).audience(ctx.session, current.id) if narrows else None
    changed = values if isinstance(values, dict) else await values(current)
    row = await apply_versioned(ctx.session, kind.model, current.id, expected_version, changed, kind.what.lower())
    payload = change(row)
    if inspect.isawaitable(payload):
        payload = await payload
    await record_change(ctx.session, kind.type_name, row.id, ChangeOp.UPDATED, payload, actor_id=actor.id,
                        former=former)
    record_audit(ctx.session, actor_id=actor.id, action=action, entity_type=kind.type_name, entity_id=row.id,
                 before=before, after=kind.snapshot(row))
    await ctx.commit()
    return row
