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
    for rows in (10, 490):  # 10 users, then 500 in all, each with a team and its members
        await add_users_in_teams(session, rows)
        with counting() as statements:
            body = await gql(USERS_WITH_TEAMS, {"first": 100}, user=viewer)
        assert "errors" not in body
        counts[rows] = statements.count
    assert len(body["data"]["users"]["edges"]) == 100
    assert counts[10] == counts[490], counts


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


TEAMS_WITH_MEMBERS = "{ teams(first: 100) { totalCount edges { node { name members { role user { name teams { name } } } } } } }"
COMMUNITIES_PAGE = "{ communities(first: 100) { totalCount edges { node { name code region population } } } }"
ORDERED = """
query Ordered($order: CommunityOrder) {
  communities(first: 3, orderBy: $order) { edges { node { name population } } }
}
"""


async def test_teams_and_communities_statement_counts_do_not_grow(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    viewer = await make_user(Role.ADMIN)
    counts: dict[int, tuple[int, int]] = {}
    for batch, rows in ((0, 10), (1, 490)):
        teams = [Team(name=f"T{batch}-{i:03d}") for i in range(rows)]
        session.add_all(teams + [Community(name=f"C{batch}-{i:03d}") for i in range(rows)])
        await session.flush()
        session.add_all([TeamMembership(team_id=t.id, user_id=viewer.id) for t in teams])
        with counting() as team_statements:
            team_body = await gql(TEAMS_WITH_MEMBERS, user=viewer)
        with counting() as community_statements:
            community_body = await gql(COMMUNITIES_PAGE, user=viewer)
        assert "errors" not in team_body and "errors" not in community_body
        counts[rows] = (team_statements.count, community_statements.count)
    assert team_body["data"]["teams"]["totalCount"] == 500
    assert community_body["data"]["communities"]["totalCount"] == 500
    assert counts[10] == counts[490], counts


async def test_order_by_sorts_with_nulls_last_and_direction(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    viewer = await make_user()
    session.add_all([Community(name="Alpha", population=300), Community(name="Beta", population=None),
                     Community(name="Gamma", population=100)])

    by_population = await gql(ORDERED, {"order": {"field": "POPULATION", "direction": "DESC"}}, user=viewer)
    by_name_default = await gql(ORDERED, {"order": {"field": "NAME"}}, user=viewer)

    assert [e["node"]["name"] for e in by_population["data"]["communities"]["edges"]] == ["Alpha", "Gamma", "Beta"]
    assert [e["node"]["name"] for e in by_name_default["data"]["communities"]["edges"]] == ["Alpha", "Beta", "Gamma"]
