"""Which of some ids a viewer may read now, through each entity's policy (one statement per type)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from db.policies import BY_ENTITY_TYPE
from db.policies.viewer import Viewer


async def readable_ids(session: AsyncSession, viewer: Viewer, refs: Iterable[tuple[str, int]]) -> set[tuple[str, int]]:
    """Of ``(entity_type, id)`` pairs, those whose row exists and ``viewer`` may read."""
    by_type: dict[str, set[int]] = defaultdict(set)
    for entity_type, pk in refs:
        by_type[entity_type].add(pk)
    found: set[tuple[str, int]] = set()
    for entity_type, ids in sorted(by_type.items()):
        policy = BY_ENTITY_TYPE.get(entity_type)
        if policy is None:
            continue
        rows = await session.scalars(
            policy.select(viewer).with_only_columns(policy.model.id).where(policy.model.id.in_(sorted(ids)))
        )
        found |= {(entity_type, pk) for pk in rows}
    return found
