"""Task sets from templates: automatic generation for new PPAs, assessments, policies and
coordination events, and manual instantiation (instantiateTaskTemplate).

Idempotent in the database: every generated task carries a ``generation_key``
(``{kind}:{object id}:item:{item id}`` for automatic generation) under the
partial unique index ``uq_tasks_generation_key``, and is written with
``INSERT ... ON CONFLICT DO NOTHING``. Re-saving an object, or two requests
racing to create its tasks, can never produce a second set.

Callers (the PPA/assessment/policy/event resolvers, the quarterly job) call ``generate_default_tasks``
in their own transaction, after flushing the new object, before committing.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ChangeOp, TaskDomain, TaskStatus, TemplateKind
from db.models import (
    Assessment,
    Community,
    Event,
    Need,
    Policy,
    Ppa,
    Task,
    TaskTeam,
    TaskTemplate,
    TaskTemplateItem,
)
from db.queries.board import last_position
from db.queries.task import add_links_bulk, insert_tasks_once, recompute_ppa_progress
from db.queries.task_changes import TaskSnapshot, record_task_change
from db.rules import kanban
from db.rules.default_templates import DEFAULT_TEMPLATES
from db.rules.task_templates import render, schedule


@dataclass(frozen=True, slots=True)
class TargetKind:
    link_column: str
    domain: TaskDomain
    prefix: str  # placeholder prefix: {ppa_title}, {event_title}, ...


TARGETS: dict[type[Any], TargetKind] = {
    Ppa: TargetKind("ppa_id", TaskDomain.PROJECTS, "ppa"),
    Assessment: TargetKind("assessment_id", TaskDomain.MANA, "assessment"),
    Policy: TargetKind("policy_id", TaskDomain.POLICY, "policy"),
    Event: TargetKind("event_id", TaskDomain.COORDINATION, "event"),
    Need: TargetKind("need_id", TaskDomain.MANA, "need"),
    Community: TargetKind("community_id", TaskDomain.COMMUNITY, "community"),
}
MODEL_BY_KIND: dict[TemplateKind, type[Any]] = {
    TemplateKind.PPA: Ppa,
    TemplateKind.ASSESSMENT: Assessment,
    TemplateKind.POLICY: Policy,
    TemplateKind.COORDINATION_EVENT: Event,
}


def default_start(obj: Any) -> date:
    """The date offsets count from: when the object's work starts (today if unknown)."""
    if isinstance(obj, Ppa) and obj.starts_on is not None:
        return obj.starts_on
    if isinstance(obj, Assessment) and obj.planning_on is not None:
        return obj.planning_on
    if isinstance(obj, Event):
        return obj.starts_at.astimezone(ZoneInfo(obj.timezone or "UTC")).date()
    return datetime.now(UTC).date()


def placeholder_values(obj: Any, start: date) -> dict[str, str]:
    target = TARGETS[type(obj)]
    title = str(getattr(obj, "title", None) or getattr(obj, "name", ""))
    values = {"title": title, "start_date": start.isoformat(), f"{target.prefix}_title": title}
    if isinstance(obj, Ppa):
        values["ppa_code"] = obj.code or ""
    if isinstance(obj, Community):
        values["community_name"] = obj.name
    return values


def lead_team_id(obj: Any) -> int | None:
    return getattr(obj, "lead_team_id", None) or getattr(obj, "team_id", None)


async def instantiate(
    session: AsyncSession,
    items: Sequence[TaskTemplateItem],
    obj: Any | None,
    start: date,
    *,
    key: Callable[[TaskTemplateItem], str | None],
    actor_id: int | None,
) -> list[Task]:
    """Create the items' tasks for ``obj`` (may be None for a free-standing set); returns those created."""
    target = TARGETS[type(obj)] if obj is not None else None
    values = placeholder_values(obj, start) if obj is not None else {"start_date": start.isoformat()}
    last = await last_position(session, TaskStatus.TODO)
    base = kanban.position_after_last(last)
    rows: list[dict[str, Any]] = []
    for index, item in enumerate(sorted(items, key=lambda i: (i.sequence, i.id))):
        starts_on, due_at = schedule(start, item.offset_days)
        rows.append({
            "title": render(item.title, values)[:300], "description": render(item.description, values),
            "status": TaskStatus.TODO, "priority": item.priority, "role": item.role, "phase": item.phase,
            "estimated_hours": item.estimated_hours, "domain": target.domain if target else TaskDomain.GENERAL,
            "starts_on": starts_on, "due_at": due_at, "position": base + index * kanban.GAP,
            "template_item_id": item.id, "generation_key": key(item), "created_by_id": actor_id,
            "event_id": None, "ppa_id": None, "assessment_id": None, "policy_id": None,
            "need_id": None, "community_id": None,
        })
        if target is not None and obj is not None:
            rows[-1][target.link_column] = obj.id
    created = await insert_tasks_once(session, rows)
    team_id = lead_team_id(obj) if obj is not None else None
    teams = [team_id] if team_id is not None else []
    await add_links_bulk(session, TaskTeam, "team_id", [(task.id, t) for task in created for t in teams])
    await recompute_ppa_progress(session, [task.ppa_id for task in created])
    for task in created:
        await record_task_change(session, task, ChangeOp.CREATED, actor_id=actor_id, now=TaskSnapshot.of(task, [], teams))
    return sorted(created, key=lambda t: (t.position, t.id))


async def default_template(session: AsyncSession, kind: TemplateKind) -> TaskTemplate | None:
    return await session.scalar(select(TaskTemplate).where(TaskTemplate.kind == kind, TaskTemplate.is_default))


async def template_items(session: AsyncSession, template_id: int) -> list[TaskTemplateItem]:
    rows = await session.scalars(
        select(TaskTemplateItem).where(TaskTemplateItem.template_id == template_id)
        .order_by(TaskTemplateItem.sequence, TaskTemplateItem.id)
    )
    return list(rows)


async def generate_default_tasks(
    session: AsyncSession, kind: TemplateKind, obj: Any, *, actor_id: int | None
) -> list[Task]:
    """The default template's tasks for a newly created (flushed) ``obj``; [] if they exist already.

    ``obj`` must be the model of ``kind`` (a Ppa for PPA, an Event for
    COORDINATION_EVENT, ...). Creates the kind's default template first if there
    is none (``ensure_default_templates``); an admin who wants no automatic tasks
    empties the default template's items or unsets its default flag.
    """
    expected = MODEL_BY_KIND.get(kind)
    if expected is None or not isinstance(obj, expected):
        raise TypeError(f"generate_default_tasks({kind}) needs a {expected.__name__ if expected else 'non-GENERIC kind'}")
    await ensure_default_templates(session, kinds=[kind])
    template = await default_template(session, kind)
    if template is None:
        return []
    items = await template_items(session, template.id)
    return await instantiate(
        session, items, obj, default_start(obj),
        key=lambda item: f"{kind}:{obj.id}:item:{item.id}", actor_id=actor_id,
    )


async def ensure_default_templates(session: AsyncSession, *, kinds: Sequence[TemplateKind] | None = None) -> None:
    """Create the built-in default template of each kind that has none (race-safe, idempotent).

    The template insert is ``ON CONFLICT DO NOTHING`` on its unique name and on
    the one-default-per-kind index: a racing transaction's template wins and this
    one adds no items. A kind whose default flag an admin removed stays without one
    (the built-in name is taken).
    """
    wanted = [k for k in (kinds or list(DEFAULT_TEMPLATES)) if k in DEFAULT_TEMPLATES]
    if not wanted:
        return
    present = set(await session.scalars(
        select(TaskTemplate.kind).where(TaskTemplate.kind.in_(wanted), TaskTemplate.is_default)
    ))
    for kind in wanted:
        if kind in present:
            continue
        spec = DEFAULT_TEMPLATES[kind]
        template_id = await session.scalar(
            pg_insert(TaskTemplate)
            .values(name=spec.name, description=spec.description, kind=kind, is_default=True)
            .on_conflict_do_nothing()
            .returning(TaskTemplate.id)
        )
        if template_id is None:
            continue
        await session.execute(pg_insert(TaskTemplateItem).values([
            {"template_id": template_id, "sequence": n, "title": item.title, "description": item.description,
             "offset_days": item.offset_days, "role": item.role, "priority": item.priority,
             "phase": item.phase, "estimated_hours": item.estimated_hours}
            for n, item in enumerate(spec.items)
        ]))
