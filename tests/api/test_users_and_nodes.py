"""users/teams/communities connections, node(id:), and their SQL statement counts."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role, TeamRole
from db.models import Community, Team, TeamMembership, User
from db.statements import counting
from tests.conftest import GraphQL, UserFactory

USERS_WITH_TEAMS = """
query Users($first: Int, $after: String) {
  users(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name teams { name members { role user { name } } } } }
  }
}
"""
NODE = "query Node($id: ID!) { node(id: $id) { __typename id ... on Community { name } } }"
COMMUNITIES = "query { communities(first: 100, filter: {search: \"Harbor\"}) { totalCount edges { node { name } } } }"


async def add_users_in_teams(session: AsyncSession, count: int) -> None:
    team = Team(name=f"Team of {count}")
    session.add(team)
    await session.flush()
    users = [User(email=f"bulk-{count}-{i}@example.org", name=f"Bulk {i:04d}", role=Role.STAFF,
                  password_hash="x") for i in range(count)]
    session.add_all(users)
    await session.flush()
    session.add_all([TeamMembership(team_id=team.id, user_id=u.id, role=TeamRole.MEMBER) for u in users])
    await session.flush()


async def test_users_statement_count_does_not_grow_with_rows(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    viewer = await make_user(Role.ADMIN)
    counts: dict[int, int] = {}
    for rows in (10, 90):  # 10 users, then 100 in all, each with a team and its members
        await add_users_in_teams(session, rows)
        with counting() as statements:
            body = await gql(USERS_WITH_TEAMS, {"first": 100}, user=viewer)
        assert "errors" not in body
        counts[rows] = statements.count
    assert len(body["data"]["users"]["edges"]) == 100
    assert counts[10] == counts[90], counts


async def test_pagination_walks_every_row_once(gql: GraphQL, make_user: UserFactory, session: AsyncSession) -> None:
    viewer = await make_user(Role.ADMIN)
    await add_users_in_teams(session, 25)
    seen: list[str] = []
    after = None
    while True:
        page = (await gql(USERS_WITH_TEAMS, {"first": 10, "after": after}, user=viewer))["data"]["users"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 26 == page["totalCount"]


async def test_first_over_100_is_a_validation_error(gql: GraphQL, make_user: UserFactory) -> None:
    body = await gql(USERS_WITH_TEAMS, {"first": 101}, user=await make_user())
    assert body["errors"][0]["extensions"]["code"] in {"VALIDATION", "QUERY_TOO_COMPLEX"}


async def test_node_resolves_a_global_id_and_rejects_garbage(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    user = await make_user()
    community = Community(name="Harbor Town")
    session.add(community)
    await session.flush()
    created = await gql(COMMUNITIES, user=user)
    assert created["data"]["communities"] == {"totalCount": 1, "edges": [{"node": {"name": "Harbor Town"}}]}
    from schema.core.ids import to_global_id

    gid = to_global_id("Community", community.id)
    found = await gql(NODE, {"id": gid}, user=user)
    assert found == {"data": {"node": {"__typename": "Community", "id": gid, "name": "Harbor Town"}}}

    garbage = await gql(NODE, {"id": "definitely-not-an-id"}, user=user)
    assert garbage["data"] is None or garbage["data"]["node"] is None
    assert "Traceback" not in str(garbage)
    if "errors" in garbage:
        assert garbage["errors"][0]["extensions"]["code"] != "INTERNAL"
