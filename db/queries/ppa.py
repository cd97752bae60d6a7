"""PPA data access: the filtered list, versioned updates, row locks, links, schedules."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, case, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import BudgetStatus, PpaCategory, PpaStage, PpaStatus, TransitionKind
from db.models import Ppa, PpaNeed, PpaPolicy, PpaStageSchedule
from db.policies import ANONYMOUS, Viewer, policy_for
from db.queries.search import contains, search_terms


class PpaOrder(StrEnum):
    TITLE = "TITLE"
    CODE = "CODE"
    STARTS_ON = "STARTS_ON"
    ENDS_ON = "ENDS_ON"
    STAGE = "STAGE"
    PROGRESS_DESC = "PROGRESS_DESC"
    BUDGET_ALLOCATED_DESC = "BUDGET_ALLOCATED_DESC"
    STAGE_ENTERED_AT = "STAGE_ENTERED_AT"
    CREATED_AT_DESC = "CREATED_AT_DESC"


@dataclass(slots=True)
class PpaCriteria:
    """Who asks (the PPA policy limits every statement to what they may read) and the decoded PpaFilter."""

    viewer: Viewer = ANONYMOUS
    statuses: list[PpaStatus] | None = None
    stages: list[PpaStage] | None = None
    categories: list[PpaCategory] | None = None
    budget_statuses: list[BudgetStatus] | None = None
    community_ids: list[int] | None = None
    team_ids: list[int] | None = None
    owner_ids: list[int] | None = None
    need_id: int | None = None
    policy_id: int | None = None
    search: str | None = None
    # PPAs whose [starts_on, ends_on] overlaps [date_from, date_to]; open ends match.
    date_from: date | None = None
    date_to: date | None = None
    include_archived: bool = False


def stage_rank() -> ColumnElement[int]:
    return case({s: i for i, s in enumerate(PpaStage)}, value=Ppa.stage, else_=99)


def ppa_conditions(c: PpaCriteria) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [policy_for(Ppa).readable(c.viewer)]
    if not c.include_archived:
        conditions.append(Ppa.archived_at.is_(None))
    if c.statuses:
        conditions.append(Ppa.status.in_(c.statuses))
    if c.stages:
        conditions.append(Ppa.stage.in_(c.stages))
    if c.categories:
        conditions.append(Ppa.category.in_(c.categories))
    if c.budget_statuses:
        conditions.append(Ppa.budget_status.in_(c.budget_statuses))
    if c.community_ids:
        conditions.append(Ppa.community_id.in_(c.community_ids))
    if c.team_ids:
        conditions.append(Ppa.lead_team_id.in_(c.team_ids))
    if c.owner_ids:
        conditions.append(Ppa.owner_id.in_(c.owner_ids))
    if c.need_id is not None:
        conditions.append(exists().where(PpaNeed.ppa_id == Ppa.id, PpaNeed.need_id == c.need_id))
    if c.policy_id is not None:
        conditions.append(exists().where(PpaPolicy.ppa_id == Ppa.id, PpaPolicy.policy_id == c.policy_id))
    if (search := search_terms(c.search)) is not None:
        conditions.append(contains(search, Ppa.title, Ppa.code, Ppa.description))
    if c.date_from is not None:
        conditions.append(or_(Ppa.ends_on.is_(None), Ppa.ends_on >= c.date_from))
    if c.date_to is not None:
        conditions.append(or_(Ppa.starts_on.is_(None), Ppa.starts_on <= c.date_to))
    return conditions


def ppas_query(criteria: PpaCriteria, order: PpaOrder = PpaOrder.TITLE) -> Select[Ppa]:
    ordering: dict[PpaOrder, tuple[Any, ...]] = {
        PpaOrder.TITLE: (Ppa.title, Ppa.id),
        PpaOrder.CODE: (Ppa.code.asc().nulls_last(), Ppa.id),
        PpaOrder.STARTS_ON: (Ppa.starts_on.asc().nulls_last(), Ppa.id),
        PpaOrder.ENDS_ON: (Ppa.ends_on.asc().nulls_last(), Ppa.id),
        PpaOrder.STAGE: (stage_rank(), Ppa.title, Ppa.id),
        PpaOrder.PROGRESS_DESC: (Ppa.progress.desc(), Ppa.id),
        PpaOrder.BUDGET_ALLOCATED_DESC: (Ppa.budget_allocated.desc(), Ppa.id),
        PpaOrder.STAGE_ENTERED_AT: (Ppa.stage_entered_at, Ppa.id),
        PpaOrder.CREATED_AT_DESC: (Ppa.created_at.desc(), Ppa.id.desc()),
    }
    return select(Ppa).where(*ppa_conditions(criteria)).order_by(*ordering[order])


async def update_ppa_versioned(
    session: AsyncSession, ppa_id: int, expected_version: int, values: dict[str, Any]
) -> Ppa | None:
    """Apply ``values`` only if the row still has ``expected_version`` (checked in the
    UPDATE's WHERE, so a concurrent writer re-checks after the row lock and loses).
    None means stale or gone."""
    stmt = (
        update(Ppa)
        .where(Ppa.id == ppa_id, Ppa.version == expected_version)
        .values(**values, version=Ppa.version + 1, updated_at=func.now())
        .returning(Ppa)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    return (await session.scalars(stmt)).one_or_none()


async def link_needs(session: AsyncSession, ppa_id: int, need_ids: Sequence[int]) -> int:
    """Link needs to a PPA; already linked pairs are skipped. Returns how many were new."""
    return await _link(session, PpaNeed, "need_id", ppa_id, need_ids)


async def link_policies(session: AsyncSession, ppa_id: int, policy_ids: Sequence[int]) -> int:
    return await _link(session, PpaPolicy, "policy_id", ppa_id, policy_ids)


async def _link(session: AsyncSession, model: Any, name: str, ppa_id: int, ids: Sequence[int]) -> int:
    wanted = sorted(set(ids))
    if not wanted:
        return 0
    stmt = (
        pg_insert(model)
        .values([{"ppa_id": ppa_id, name: pk} for pk in wanted])
        .on_conflict_do_nothing()
        .returning(model.ppa_id)
    )
    return len((await session.execute(stmt)).all())


async def upsert_stage_schedule(
    session: AsyncSession, ppa_id: int, kind: TransitionKind, stage: str, starts_on: date, ends_on: date
) -> PpaStageSchedule:
    """Set the planned dates of one stage (one row per PPA, kind and stage)."""
    insert = pg_insert(PpaStageSchedule).values(
        ppa_id=ppa_id, kind=kind, stage=stage, starts_on=starts_on, ends_on=ends_on
    )
    stmt = (
        insert.on_conflict_do_update(
            index_elements=[PpaStageSchedule.ppa_id, PpaStageSchedule.kind, PpaStageSchedule.stage],
            set_={"starts_on": insert.excluded.starts_on, "ends_on": insert.excluded.ends_on},
        )
        .returning(PpaStageSchedule)
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(stmt)).one()


async def stage_schedule_of(session: AsyncSession, ppa_id: int, kind: TransitionKind, stage: str) -> PpaStageSchedule | None:
    stmt = select(PpaStageSchedule).where(
        PpaStageSchedule.ppa_id == ppa_id, PpaStageSchedule.kind == kind, PpaStageSchedule.stage == stage
    )
    return (await session.scalars(stmt)).one_or_none()
