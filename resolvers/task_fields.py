"""Input checks and decoding shared by the task mutations (each raises a VALIDATION/NOT_FOUND DomainError)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from db.models import Assessment, Community, Event, Need, Policy, Ppa, Team, User
from db.models.task import LINK_COLUMNS
from db.rules.task_recurrence import InvalidRule, normalized_rule
from resolvers import validation as v
from resolvers.mutation import validation
from resolvers.targets import all_readable, readable_target
from schema.core.ids import decode_id, decode_ids, decode_typed_id
from server.context import Context

MAX_HOURS = 100_000
LINK_TYPES: dict[str, tuple[str, Any]] = {
    "Event": ("event_id", Event),
    "Ppa": ("ppa_id", Ppa),
    "Assessment": ("assessment_id", Assessment),
    "Policy": ("policy_id", Policy),
    "Need": ("need_id", Need),
    "Community": ("community_id", Community),
}


def task_id(value: str, field: str = "input.id") -> int:
    return decode_id(value, "Task", field=field)


def title(value: str, field: str = "input.title") -> str:
    return v.text(value, field, max_length=300)


def description(value: str, field: str = "input.description") -> str:
    return v.text(value, field, max_length=20_000, required=False)


def label(value: str, field: str) -> str:
    return v.text(value, field, max_length=100, required=False)


def hours(value: float | None, field: str) -> Decimal | None:
    if value is None:
        return None
    v.number_range(value, field, low=0, high=MAX_HOURS)
    return Decimal(str(round(value, 2)))


def due_at(value: datetime | None, field: str = "input.dueAt") -> datetime | None:
    return None if value is None else v.aware(value, field)


def starts_on(value: date | None, field: str = "input.startsOn") -> date | None:
    if value is not None and not (1900 <= value.year <= 2200):
        raise validation("Year must be between 1900 and 2200.", field)
    return value


def check_dates(start: date | None, due: datetime | None) -> None:
    if start is not None and due is not None and due.date() < start:
        raise validation("The task cannot be due before it starts.", "input.dueAt")


def rrule(value: str | None, due: datetime | None, field: str = "input.rrule") -> str | None:
    if value is None or not value.strip():
        return None
    try:
        rule = normalized_rule(value)
    except InvalidRule as error:
        raise validation(str(error), field) from None
    if due is None:
        raise validation("A recurring task needs a due date (dueAt) to anchor its rule.", field)
    return rule


async def link(ctx: Context, value: str | None, field: str = "input.linkId") -> dict[str, int | None]:
    """All six link columns, at most one set; the linked object must exist and be readable by
    the caller (so nobody attaches tasks to a PRIVATE event they are not invited to, and an
    unreadable id answers NOT_FOUND like a missing one)."""
    columns: dict[str, int | None] = {name: None for name in LINK_COLUMNS}
    if value is None:
        return columns
    type_name, pk = decode_typed_id(value, field=field)
    if type_name not in LINK_TYPES:
        raise validation(f"Expected an id of {', '.join(LINK_TYPES)}, got {type_name}.", field)
    column, model = LINK_TYPES[type_name]
    await readable_target(ctx, model, pk, type_name, field)
    columns[column] = pk
    return columns


async def user_ids(ctx: Context, values: Sequence[str], field: str = "input.assigneeIds") -> list[int]:
    ids = sorted(set(decode_ids(list(values), "User", field=field) or []))
    await _all_readable(ctx, User, ids, "User", field)
    return ids


async def team_ids(ctx: Context, values: Sequence[str], field: str = "input.teamIds") -> list[int]:
    ids = sorted(set(decode_ids(list(values), "Team", field=field) or []))
    await _all_readable(ctx, Team, ids, "Team", field)
    return ids


async def _all_readable(ctx: Context, model: Any, ids: list[int], what: str, field: str) -> None:
    if len(ids) > 100:
        raise validation("At most 100 ids.", field)
    await all_readable(ctx, model, ids, what, field)
