"""The dashboard's statements do not grow with its rows: 10 vs 1,000 of each."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import NeedStatus, PpaCategory
from db.models import Community, Need, Ppa, Team
from db.statements import counting
from tests.conftest import GraphQL, UserFactory

QUERY = """
{ coordinationDashboard {
  total { ppaCount communities }
  maos { team { name } ppaCount }
  places(level: COMMUNITY, first: 5000) { ppaCount latitude community { name } }
  overlaps(first: 500) { rank ppa { title } otherPpa { title } community { name } }
  needsWithoutPpa { sector needs }
  uncoveredCommunities(first: 1000) { needs community { name } }
} }
"""


async def seed(session: AsyncSession, tag: str, count: int) -> None:
    """``count`` communities, each served by two PPAs of two MAOs in one sector, and an unmet need."""
    await session.execute(insert(Team), [{"name": f"{tag} MAO {k}"} for k in "AB"])
    teams = list(await session.scalars(select(Team.id).where(Team.name.like(f"{tag} MAO %")).order_by(Team.name)))
    await session.execute(insert(Community), [
        {"name": f"{tag} community {i}", "region": "R", "province": f"P{i % 7}", "latitude": Decimal("7.000001"),
         "longitude": Decimal("124.5")} for i in range(count)])
    communities = list(await session.scalars(
        select(Community.id).where(Community.name.like(f"{tag} community %")).order_by(Community.id)))
    await session.execute(insert(Ppa), [
        {"title": f"{tag} PPA {i}", "category": PpaCategory.PROJECT, "lead_team_id": teams[i % 2],
         "community_id": communities[i // 2], "sector": "health", "budget_allocated": Decimal("10.00")}
        for i in range(2 * count)])
    await session.execute(insert(Need), [
        {"title": f"{tag} need {i}", "category": "water", "status": NeedStatus.VALIDATED,
         "community_id": communities[i]} for i in range(count)])


async def measure(gql: GraphQL, user: object) -> tuple[int, int]:
    with counting() as counter:
        body = await gql(QUERY, user=user)
    assert "errors" not in body, body
    board = body["data"]["coordinationDashboard"]
    return len(board["places"]) + len(board["overlaps"]) + len(board["uncoveredCommunities"]), counter.count


async def test_dashboard_statements_do_not_grow_with_rows(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    user = await make_user()
    await seed(session, "small", 10)
    small = await measure(gql, user)
    await seed(session, "large", 1000)
    large = await measure(gql, user)
    assert small[0] >= 20 and large[0] >= 2000, (small, large)
    assert small[1] == large[1], f"{small[0]} rows: {small[1]} statements; {large[0]} rows: {large[1]}"
