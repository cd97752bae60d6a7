"""Loaders for needs and the PPAs that address them."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from dataloaders.registry import Reader, group_by, group_pairs
from db.models import Need, Ppa, PpaNeed


async def ppas_by_need_id(reader: Reader, keys: Sequence[int]) -> list[list[Ppa]]:
    rows = await reader.session.execute(
        select(PpaNeed.need_id, Ppa)
        .join(Ppa, Ppa.id == PpaNeed.ppa_id)
        .where(PpaNeed.need_id.in_(keys), reader.readable(Ppa))
        .order_by(Ppa.title, Ppa.id)
    )
    return group_pairs(rows.tuples(), keys)


async def needs_by_assessment_id(reader: Reader, keys: Sequence[int]) -> list[list[Need]]:
    rows = await reader.session.scalars(
        select(Need).where(Need.assessment_id.in_(keys), reader.readable(Need)).order_by(Need.title, Need.id)
    )
    return group_by(rows.all(), "assessment_id", keys)
