"""Input checks, id decoding and change-log payloads shared by the PPA mutations."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from db.enums import BudgetStage, CalendarModule, PpaStage, TransitionKind
from db.models import Assessment, Community, Need, Policy, Ppa, Team, User
from db.policies.ppa import PpaPolicy
from resolvers import validation as v
from resolvers.mutation import validation
from resolvers.targets import all_readable, editable_target
from schema.core.ids import decode_id
from server.context import Context

PPAS = PpaPolicy()  # who may read and who may change a PPA
MAX_MONEY = Decimal("999999999999.99")  # Numeric(14, 2)
REFERENCES: dict[str, Any] = {
    "Community": Community, "Team": Team, "User": User, "Need": Need, "Policy": Policy, "Ppa": Ppa,
    "Assessment": Assessment,
}


def ppa_id(value: str, field: str = "input.ppaId") -> int:
    return decode_id(value, "Ppa", field=field)


def title(value: str, field: str = "input.title") -> str:
    return v.text(value, field, max_length=300)


def description(value: str, field: str = "input.description") -> str:
    return v.text(value, field, max_length=20_000, required=False)


def code(value: str | None, field: str = "input.code") -> str | None:
    return v.optional_text(value, field, max_length=64) or None


def sector(value: str, field: str = "input.sector") -> str:
    """Compared with needs' category by the dashboard, so the same limit (100)."""
    return v.text(value, field, max_length=100, required=False)


def note(value: str, field: str = "input.note") -> str:
    return v.text(value, field, max_length=2000, required=False)


OptionalDate = TypeVar("OptionalDate", bound=date | None)


def day(value: OptionalDate, field: str) -> OptionalDate:
    if value is not None and not (1900 <= value.year <= 2200):
        raise validation("Year must be between 1900 and 2200.", field)
    return value


def dates(starts_on: date | None, ends_on: date | None, start_field: str, end_field: str) -> tuple[date | None, date | None]:
    start, end = day(starts_on, start_field), day(ends_on, end_field)
    v.ordered(start, end, end_field, strict=False)
    return start, end


def money(value: Decimal | None, field: str) -> Decimal | None:
    """A non-negative amount with at most two decimals, within Numeric(14, 2)."""
    if value is None:
        return None
    try:
        if not value.is_finite():
            raise validation("Must be a finite number.", field)
        if value < 0:
            raise validation("Must not be negative.", field)
        if value > MAX_MONEY:
            raise validation(f"At most {MAX_MONEY}.", field)
        if value != value.quantize(Decimal("0.01")):
            raise validation("At most two decimal places.", field)
        return value.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise validation("Not a valid amount.", field) from None


def stage_of(workflow: PpaStage | None, budget: BudgetStage | None, field: str) -> tuple[TransitionKind, str]:
    """The (kind, stage name) of a stage-dates input that names exactly one stage."""
    if (workflow is None) == (budget is None):
        raise validation("Give exactly one of workflowStage or budgetStage.", field)
    if workflow is not None:
        return TransitionKind.STAGE, PpaStage(workflow).value
    assert budget is not None  # exactly one of the two is given (checked above)
    return TransitionKind.BUDGET, BudgetStage(budget).value


async def reference(ctx: Context, value: str | None, type_name: str, field: str) -> int | None:
    """Decode an optional id of ``type_name``; the row must exist and be readable by the caller."""
    if value is None:
        return None
    pk = decode_id(value, type_name, field=field)
    await all_readable(ctx, REFERENCES[type_name], [pk], type_name, field)
    return pk


async def references(ctx: Context, values: Sequence[str], type_name: str, field: str) -> list[int]:
    """Decode ids of ``type_name``; all must exist and be readable by the caller (one query)."""
    if len(values) > 500:
        raise validation("At most 500 ids.", field)
    ids = sorted({decode_id(value, type_name, field=field) for value in values})
    await all_readable(ctx, REFERENCES[type_name], ids, f"One of the {type_name} ids", field)
    return ids


async def editable_ppa(ctx: Context, pk: int, field: str = "input.ppaId", *, for_update: bool = False) -> Ppa:
    """The PPA if the caller may change it (``db.policies.ppa``): NOT_FOUND or PERMISSION_DENIED otherwise."""
    ppa: Ppa = await editable_target(ctx, PPAS, pk, "PPA", field, for_update=for_update)
    return ppa


def ppa_change(ppa: Ppa, *, old_start: date | None = None, old_end: date | None = None, **extra: Any) -> dict[str, Any]:
    """The change-log payload subscribers filter on (see the domain briefing)."""
    payload: dict[str, Any] = {
        "module": CalendarModule.PROJECTS.value,
        "start": ppa.starts_on.isoformat() if ppa.starts_on else None,
        "end": ppa.ends_on.isoformat() if ppa.ends_on else None,
        "status": ppa.status.value,
        "stage": ppa.stage.value,
        "budget_status": ppa.budget_status.value,
        "ppa_id": ppa.id,
        "owner_id": ppa.owner_id,
        "team_ids": [ppa.lead_team_id] if ppa.lead_team_id else [],
    }
    if old_start is not None or old_end is not None:
        payload["old_start"] = old_start.isoformat() if old_start else None
        payload["old_end"] = old_end.isoformat() if old_end else None
    payload.update(extra)
    return payload


def ppa_snapshot(ppa: Ppa) -> dict[str, Any]:
    """What the audit log keeps of a PPA before and after a change."""
    return {
        "title": ppa.title, "code": ppa.code, "category": ppa.category.value, "status": ppa.status.value,
        "stage": ppa.stage.value, "budget_stage": ppa.budget_stage.value, "budget_status": ppa.budget_status.value,
        "budget_allocated": str(ppa.budget_allocated), "budget_approved": None if ppa.budget_approved is None else str(ppa.budget_approved),
        "starts_on": ppa.starts_on.isoformat() if ppa.starts_on else None,
        "ends_on": ppa.ends_on.isoformat() if ppa.ends_on else None,
        "community_id": ppa.community_id, "lead_team_id": ppa.lead_team_id, "owner_id": ppa.owner_id,
    }
