"""portfolio(filter): totals, breakdowns and PPAs at risk on a known fixture; statement counts."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import BudgetStatus, PpaCategory, PpaStage, PpaStatus, Role, TaskStatus
from db.models import PpaMilestone, Task
from db.statements import counting
from tests.conftest import GraphQL, UserFactory
from tests.ppa.helpers import add_ppa, add_ppas_with_relations

BUCKET = "count budgetAllocated budgetApproved averageProgress"
PORTFOLIO = f"""
query Portfolio($filter: PpaFilter, $days: Int) {{
  portfolio(filter: $filter, stalledAfterDays: $days) {{
    ppaCount budgetAllocated budgetApproved averageProgress stalledAfterDays
    atRiskCount stalledCount ppasWithOverdueMilestones ppasWithOverdueTasks overdueMilestoneCount overdueTaskCount
    byStage {{ stage {BUCKET} }}
    byStatus {{ status {BUCKET} }}
    byCategory {{ category {BUCKET} }}
    byBudgetStatus {{ budgetStatus {BUCKET} }}
    atRisk(first: 10) {{ totalCount edges {{ node {{ ppa {{ title }} reasons overdueMilestones overdueTasks daysInStage }} }} }}
  }}
}}
"""
PORTFOLIO_NESTED = """
query Portfolio($filter: PpaFilter) {
  portfolio(filter: $filter) {
    ppaCount budgetAllocated atRiskCount byStage { stage count } byStatus { status count }
    atRisk(first: 100) { totalCount edges { node { reasons ppa { title milestones { title } needs { title } } } } }
  }
}
"""


def bucket(count: int = 0, allocated: str = "0.00", approved: str = "0.00", progress: float | None = None) -> dict:
    return {"count": count, "budgetAllocated": allocated, "budgetApproved": approved, "averageProgress": progress}


async def known_portfolio(session: AsyncSession, tag: str) -> None:
    now, today = datetime.now(UTC), date.today()
    p1 = await add_ppa(session, title=f"{tag} P1 stalled + late milestone", category=PpaCategory.PROJECT,
                       stage=PpaStage.PLANNING, budget_allocated=Decimal("1000.00"), progress=50,
                       stage_entered_at=now - timedelta(days=90))
    p2 = await add_ppa(session, title=f"{tag} P2 late task", category=PpaCategory.PROGRAM,
                       stage=PpaStage.IMPLEMENTATION, budget_allocated=Decimal("2000.00"),
                       budget_approved=Decimal("1500.00"), budget_status=BudgetStatus.APPROVED, progress=20,
                       stage_entered_at=now - timedelta(days=10))
    p3 = await add_ppa(session, title=f"{tag} P3 on hold", category=PpaCategory.ACTIVITY, status=PpaStatus.ON_HOLD,
                       stage=PpaStage.PROPOSAL, budget_allocated=Decimal("500.00"), progress=0,
                       stage_entered_at=now - timedelta(days=200))
    p4 = await add_ppa(session, title=f"{tag} P4 completed", category=PpaCategory.PROJECT,
                       status=PpaStatus.COMPLETED, stage=PpaStage.COMPLETED, budget_allocated=Decimal("300.00"),
                       budget_approved=Decimal("300.00"), budget_status=BudgetStatus.APPROVED, progress=100,
                       stage_entered_at=now - timedelta(days=400))
    p5 = await add_ppa(session, title=f"{tag} P5 healthy", category=PpaCategory.PROJECT, stage=PpaStage.PLANNING,
                       progress=30, stage_entered_at=now - timedelta(days=5))
    session.add_all([
        PpaMilestone(ppa_id=p1.id, title="late", due_on=today - timedelta(days=1)),
        PpaMilestone(ppa_id=p3.id, title="done late", due_on=today - timedelta(days=30), completed_at=now),
        PpaMilestone(ppa_id=p4.id, title="late but closed", due_on=today - timedelta(days=30)),
        PpaMilestone(ppa_id=p5.id, title="future", due_on=today + timedelta(days=30)),
        Task(title="late", ppa_id=p2.id, due_at=now - timedelta(days=1)),
        Task(title="late but done", ppa_id=p2.id, due_at=now - timedelta(days=1), status=TaskStatus.DONE),
        Task(title="not yet due", ppa_id=p5.id, due_at=now + timedelta(days=1)),
    ])
    await session.flush()


async def test_portfolio_figures_on_a_known_fixture(gql: GraphQL, make_user: UserFactory, session: AsyncSession) -> None:
    # given five PPAs: one stalled with a late milestone, one with a late task, three not at risk
    tag = f"PF-{uuid.uuid4().hex[:6]}"
    await known_portfolio(session, tag)

    # when the dashboard asks for the portfolio
    body = await gql(PORTFOLIO, {"filter": {"search": tag}}, user=await make_user(Role.VIEWER))

    # then the totals, every breakdown and the at-risk list are exact
    assert "errors" not in body, body
    assert body["data"]["portfolio"] == {
        "ppaCount": 5, "budgetAllocated": "3800.00", "budgetApproved": "1800.00", "averageProgress": 40.0,
        "stalledAfterDays": 60, "atRiskCount": 2, "stalledCount": 1, "ppasWithOverdueMilestones": 1,
        "ppasWithOverdueTasks": 1, "overdueMilestoneCount": 1, "overdueTaskCount": 1,
        "byStage": [
            {"stage": "NEED_IDENTIFICATION", **bucket()},
            {"stage": "PLANNING", **bucket(2, "1000.00", "0.00", 40.0)},
            {"stage": "PROPOSAL", **bucket(1, "500.00", "0.00", 0.0)},
            {"stage": "BUDGET_APPROVAL", **bucket()},
            {"stage": "PROCUREMENT", **bucket()},
            {"stage": "IMPLEMENTATION", **bucket(1, "2000.00", "1500.00", 20.0)},
            {"stage": "MONITORING", **bucket()},
            {"stage": "EVALUATION", **bucket()},
            {"stage": "COMPLETED", **bucket(1, "300.00", "300.00", 100.0)},
        ],
        "byStatus": [
            {"status": "ACTIVE", **bucket(3, "3000.00", "1500.00", 33.33)},
            {"status": "ON_HOLD", **bucket(1, "500.00", "0.00", 0.0)},
            {"status": "COMPLETED", **bucket(1, "300.00", "300.00", 100.0)},
            {"status": "CANCELLED", **bucket()},
        ],
        "byCategory": [
            {"category": "PROGRAM", **bucket(1, "2000.00", "1500.00", 20.0)},
            {"category": "PROJECT", **bucket(3, "1300.00", "300.00", 60.0)},
            {"category": "ACTIVITY", **bucket(1, "500.00", "0.00", 0.0)},
        ],
        "byBudgetStatus": [
            {"budgetStatus": "NOT_SUBMITTED", **bucket(3, "1500.00", "0.00", 26.67)},
            {"budgetStatus": "IN_REVIEW", **bucket()},
            {"budgetStatus": "RETURNED", **bucket()},
            {"budgetStatus": "APPROVED", **bucket(2, "2300.00", "1800.00", 60.0)},
            {"budgetStatus": "REJECTED", **bucket()},
        ],
        "atRisk": {"totalCount": 2, "edges": [
            {"node": {"ppa": {"title": f"{tag} P1 stalled + late milestone"},
                      "reasons": ["OVERDUE_MILESTONES", "STALLED_STAGE"], "overdueMilestones": 1, "overdueTasks": 0,
                      "daysInStage": 90}},
            {"node": {"ppa": {"title": f"{tag} P2 late task"}, "reasons": ["OVERDUE_TASKS"], "overdueMilestones": 0,
                      "overdueTasks": 1, "daysInStage": 10}},
        ]},
    }


async def test_portfolio_threshold_and_filter(gql: GraphQL, make_user: UserFactory, session: AsyncSession) -> None:
    tag = f"PF-{uuid.uuid4().hex[:6]}"
    await known_portfolio(session, tag)
    user = await make_user()

    lenient = (await gql(PORTFOLIO, {"filter": {"search": tag}, "days": 100}, user=user))["data"]["portfolio"]
    projects = (await gql(PORTFOLIO, {"filter": {"search": tag, "categories": ["PROJECT"]}}, user=user))["data"]["portfolio"]
    invalid = await gql(PORTFOLIO, {"filter": {"search": tag}, "days": 0}, user=user)

    assert (lenient["stalledCount"], lenient["atRiskCount"]) == (0, 2)
    assert lenient["atRisk"]["edges"][0]["node"]["reasons"] == ["OVERDUE_MILESTONES"]
    assert (projects["ppaCount"], projects["budgetAllocated"], projects["atRiskCount"]) == (3, "1300.00", 1)
    assert invalid["errors"][0]["extensions"]["code"] == "VALIDATION"


async def test_portfolio_statement_count_is_constant(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    user = await make_user()
    tag = f"PC-{uuid.uuid4().hex[:6]}"
    counts: dict[int, int] = {}
    for total, add in ((10, 10), (1000, 990)):
        await add_ppas_with_relations(session, add, tag)
        with counting() as statements:
            body = await gql(PORTFOLIO_NESTED, {"filter": {"search": tag}}, user=user)
        assert "errors" not in body, body
        assert body["data"]["portfolio"]["ppaCount"] == total
        assert body["data"]["portfolio"]["atRiskCount"] == len(range(0, total, 3)) if total == 10 else True
        counts[total] = statements.count
    print(f"\nportfolio statements (with atRisk page + nested milestones/needs): {counts}")
    assert counts[10] == counts[1000], counts
