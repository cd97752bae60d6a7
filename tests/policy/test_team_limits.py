"""Readers limited to teams (``Viewer.team_ids``): every registered policy's ``readable`` carries the
team limit, and a policy that says nothing about teams reads nothing for them (fail closed)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, false, true
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from db.models import Team
from db.policies import POLICIES, Viewer
from db.policies.base import CataloguePolicy, EntityPolicy

LIMITED = Viewer(user_id=1, role=Role.ADMIN, team_ids=frozenset({7}))


def sql(condition: ColumnElement[bool] | Select[Any]) -> str:
    return str(condition.compile(dialect=postgresql.dialect()))


def test_every_policy_applies_the_team_limit() -> None:
    unwrapped = [type(p).__name__ for p in POLICIES.values() if not getattr(type(p).readable, "limited_to_teams", False)]
    assert unwrapped == []
    for policy in POLICIES.values():
        if isinstance(policy, CataloguePolicy):
            continue  # office catalogue: the same for every signed-in reader
        limited, unlimited = policy.select(LIMITED), policy.select(Viewer(1, Role.ADMIN))
        assert sql(limited) != sql(unlimited), type(policy).__name__


def test_a_policy_that_says_nothing_about_teams_reads_nothing_for_a_limited_reader() -> None:
    class Silent(EntityPolicy[Any]):
        model = Team
        entity_type = "Silent"

        def readable(self, viewer: Viewer) -> ColumnElement[bool]:
            return true()

        async def audiences(self, session: AsyncSession, ids: Any) -> Any:
            return {}

    assert sql(Silent().readable(Viewer(1, Role.ADMIN))) == sql(true())
    assert sql(Silent().readable(LIMITED)) == sql(true() & false())
