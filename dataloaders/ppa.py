"""Loaders for a PPA's relations: milestones, stage schedule, history, needs, policies (tasks: dataloaders.task)."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from dataloaders.registry import Reader, group_by, group_pairs
from db.models import (
    Need,
    Policy,
    PpaMilestone,
    PpaNeed,
    PpaPolicy,
    PpaStageSchedule,
    PpaTransition,
)


async def milestones_by_ppa_id(reader: Reader, keys: Sequence[int]) -> list[list[PpaMilestone]]:
    rows = await reader.session.scalars(
        select(PpaMilestone).where(PpaMilestone.ppa_id.in_(keys), reader.readable(PpaMilestone)).order_by(PpaMilestone.due_on, PpaMilestone.id)
    )
    return group_by(rows.all(), "ppa_id", keys)


async def stage_schedules_by_ppa_id(reader: Reader, keys: Sequence[int]) -> list[list[PpaStageSchedule]]:
    rows = await reader.session.scalars(
        select(PpaStageSchedule)
        .where(PpaStageSchedule.ppa_id.in_(keys), reader.readable(PpaStageSchedule))
        .order_by(PpaStageSchedule.starts_on, PpaStageSchedule.id)
    )
    return group_by(rows.all(), "ppa_id", keys)


async def transitions_by_ppa_id(reader: Reader, keys: Sequence[int]) -> list[list[PpaTransition]]:
    rows = await reader.session.scalars(
        select(PpaTransition).where(PpaTransition.ppa_id.in_(keys), reader.readable(PpaTransition)).order_by(PpaTransition.at, PpaTransition.id)
    )
    return group_by(rows.all(), "ppa_id", keys)


async def needs_by_ppa_id(reader: Reader, keys: Sequence[int]) -> list[list[Need]]:
    rows = await reader.session.execute(
        select(PpaNeed.ppa_id, Need)
        .join(Need, Need.id == PpaNeed.need_id)
        .where(PpaNeed.ppa_id.in_(keys), reader.readable(Need))
        .order_by(Need.title, Need.id)
    )
    return group_pairs(rows.tuples(), keys)


async def policies_by_ppa_id(reader: Reader, keys: Sequence[int]) -> list[list[Policy]]:
    rows = await reader.session.execute(
        select(PpaPolicy.ppa_id, Policy)
        .join(Policy, Policy.id == PpaPolicy.policy_id)
        .where(PpaPolicy.ppa_id.in_(keys), reader.readable(Policy))
        .order_by(Policy.title, Policy.id)
    )
    return group_pairs(rows.tuples(), keys)
