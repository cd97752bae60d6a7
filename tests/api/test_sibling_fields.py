"""Sibling root fields and their loaders share one session without tripping over each other."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from db.models import Community, Team, TeamMembership
from tests.conftest import GraphQL, UserFactory

SIBLINGS = """
{
  a: users(first: 5) { totalCount edges { node { name teams { name members { role } } } } }
  b: teams(first: 5) { totalCount edges { node { name members { user { name } } } } }
  c: communities(first: 5) { totalCount edges { node { name } } }
  d: users(first: 5, filter: {role: ADMIN}) { totalCount }
  me { name teams { name } }
}
"""


async def test_sibling_root_fields_resolve_concurrently_on_one_session(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    admin = await make_user(Role.ADMIN, name="Root Admin")
    team = Team(name="Siblings")
    session.add_all([team, Community(name="Sibling Town")])
    await session.flush()
    session.add(TeamMembership(team_id=team.id, user_id=admin.id))

    body = await gql(SIBLINGS, user=admin)

    assert "errors" not in body, body
    data = body["data"]
    assert data["me"] == {"name": "Root Admin", "teams": [{"name": "Siblings"}]}
    assert data["b"]["edges"] == [{"node": {"name": "Siblings", "members": [{"user": {"name": "Root Admin"}}]}}]
    assert data["c"] == {"totalCount": 1, "edges": [{"node": {"name": "Sibling Town"}}]}
    assert data["d"] == {"totalCount": 1}
