"""ppas connection: filters, ordering, nested relations, and statement counts that do not grow."""
from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import BudgetStatus, PpaCategory, PpaStage, PpaStatus, Role
from db.models import Community, Need, PpaNeed, Team
from db.statements import counting
from tests.conftest import GraphQL, UserFactory
from tests.ppa.helpers import add_ppa, add_ppas_with_relations, gid

PPAS_NESTED = """
query Ppas($filter: PpaFilter, $first: Int) {
  ppas(filter: $filter, first: $first) {
    totalCount
    edges { node {
      id title stage budgetAllocated progress allowedStages
      owner { name } community { name } leadTeam { name }
      milestones { title dueOn isOverdue }
      needs { title ppas { title } }
      stages { stage } transitions { toStage actor { name } } policies { title }
      tasks(first: 5) { totalCount edges { node { title assignees { name } } } }
    } }
  }
}
"""
PPA_TITLES = """
query Ppas($filter: PpaFilter, $order: PpaOrder) {
  ppas(filter: $filter, orderBy: $order, first: 50) { totalCount edges { node { title } } }
}
"""


async def test_ppas_statement_count_does_not_grow_with_rows(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    user = await make_user(Role.VIEWER)
    tag = f"QC-{uuid.uuid4().hex[:6]}"
    counts: dict[int, int] = {}
    for total, add, first in ((10, 10, 10), (500, 490, 100)):
        await add_ppas_with_relations(session, add, tag)
        with counting() as statements:
            body = await gql(PPAS_NESTED, {"filter": {"search": tag}, "first": first}, user=user)
        assert "errors" not in body, body
        page = body["data"]["ppas"]
        assert page["totalCount"] == total and len(page["edges"]) == first
        node = page["edges"][0]["node"]
        assert (len(node["milestones"]), len(node["needs"]), node["tasks"]["totalCount"]) == (2, 1, 2)
        counts[total] = statements.count
    print(f"\nppas statements (page of 10 of 10 vs page of 100 of 500, nested relations): {counts}")
    assert counts[10] == counts[500], counts


async def test_ppas_filters_and_ordering(gql: GraphQL, make_user: UserFactory, session: AsyncSession) -> None:
    user = await make_user()
    tag = f"QF-{uuid.uuid4().hex[:6]}"
    community, team = Community(name=f"{tag} town"), Team(name=f"{tag} team")
    need = Need(title=f"{tag} need")
    session.add_all([community, team, need])
    await session.flush()
    a = await add_ppa(session, title=f"{tag} Alpha", category=PpaCategory.PROGRAM, stage=PpaStage.PLANNING,
                      budget_allocated=Decimal("10.00"), starts_on=date(2031, 1, 1), ends_on=date(2031, 3, 31),
                      community_id=community.id, progress=10)
    await add_ppa(session, title=f"{tag} Bravo", category=PpaCategory.PROJECT, stage=PpaStage.PROPOSAL,
                  budget_allocated=Decimal("30.00"), starts_on=date(2031, 6, 1), ends_on=date(2031, 9, 30),
                  lead_team_id=team.id, budget_status=BudgetStatus.IN_REVIEW, progress=90)
    await add_ppa(session, title=f"{tag} Charlie", category=PpaCategory.ACTIVITY, status=PpaStatus.CANCELLED,
                  budget_allocated=Decimal("20.00"), progress=50)
    session.add(PpaNeed(ppa_id=a.id, need_id=need.id))
    await session.flush()

    async def titles(order: str = "TITLE", **flt: object) -> list[str]:
        body = await gql(PPA_TITLES, {"filter": {"search": tag, **flt}, "order": order}, user=user)
        assert "errors" not in body, body
        return [e["node"]["title"].removeprefix(f"{tag} ") for e in body["data"]["ppas"]["edges"]]

    assert await titles() == ["Alpha", "Bravo", "Charlie"]
    assert await titles("BUDGET_ALLOCATED_DESC") == ["Bravo", "Charlie", "Alpha"]
    assert await titles("PROGRESS_DESC") == ["Bravo", "Charlie", "Alpha"]
    assert await titles("STAGE") == ["Charlie", "Alpha", "Bravo"]
    assert await titles(stages=["PROPOSAL"]) == ["Bravo"]
    assert await titles(statuses=["CANCELLED"]) == ["Charlie"]
    assert await titles(categories=["PROGRAM", "PROJECT"]) == ["Alpha", "Bravo"]
    assert await titles(budgetStatuses=["IN_REVIEW"]) == ["Bravo"]
    assert await titles(communityIds=[gid("Community", community.id)]) == ["Alpha"]
    assert await titles(teamIds=[gid("Team", team.id)]) == ["Bravo"]
    assert await titles(needId=gid("Need", need.id)) == ["Alpha"]
    # date ranges: PPAs running in the window; open-ended ones (no dates) match any window
    assert await titles(dateFrom="2031-05-01") == ["Bravo", "Charlie"]
    assert await titles(dateFrom="2031-02-01", dateTo="2031-02-28") == ["Alpha", "Charlie"]
    wrong = await gql(PPA_TITLES, {"filter": {"communityIds": [gid("Team", team.id)]}}, user=user)
    assert wrong["data"] is None and wrong["errors"][0]["extensions"]["code"] == "VALIDATION"


async def test_unauthenticated_ppas_is_refused(gql: GraphQL) -> None:
    body = await gql("query { ppas { totalCount } portfolio { ppaCount } }")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
