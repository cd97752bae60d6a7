"""Loaders for policies: the PPAs they guide (tasks: dataloaders.task)."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from dataloaders.registry import Reader, group_pairs
from db.models import Ppa, PpaPolicy


async def ppas_by_policy_id(reader: Reader, keys: Sequence[int]) -> list[list[Ppa]]:
    rows = await reader.session.execute(
        select(PpaPolicy.policy_id, Ppa)
        .join(Ppa, Ppa.id == PpaPolicy.ppa_id)
        .where(PpaPolicy.policy_id.in_(keys), reader.readable(Ppa))
        .order_by(Ppa.title, Ppa.id)
    )
    return group_pairs(rows.tuples(), keys)
