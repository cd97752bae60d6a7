"""taskAnalytics on a known fixture: counts, overdue, hours, workload per person and team."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role, TaskDomain, TaskStatus, TeamRole
from db.models import TeamMembership
from tests.conftest import GraphQL, UserFactory
from tests.task.conftest import TaskFactory, at, gid

MEASURES = "count open done overdue estimatedHours actualHours estimatedHoursDone"
ANALYTICS = f"""
query($filter: TaskFilter, $start: DateTime, $end: DateTime) {{
  taskAnalytics(filter: $filter, start: $start, end: $end) {{
    summary {{ {MEASURES} }}
    byStatus {{ status count }}
    byDomain {{ domain count overdue }}
    byAssignee {{ user {{ name }} {MEASURES} }}
    byTeam {{ team {{ name }} count open estimatedHours actualHours }}
  }}
}}"""


async def test_analytics_numbers_on_a_known_fixture(
    gql: GraphQL, make_user: UserFactory, make_team, make_task: TaskFactory, session: AsyncSession
) -> None:
    ana = await make_user(Role.STAFF, name="Ana")
    ben = await make_user(Role.STAFF, name="Ben")
    roads = await make_team("Roads-analytics")
    # Ana leads Ben's team, so she may see his workload (db/policies/task.py workload_readable)
    session.add_all([TeamMembership(team_id=roads.id, user_id=ana.id, role=TeamRole.LEAD),
                     TeamMembership(team_id=roads.id, user_id=ben.id, role=TeamRole.MEMBER)])
    h = Decimal
    # given: five tasks; two overdue (past due, open), one done, one cancelled
    await make_task("late 1", due_at=at(2001, 1, 10), domain=TaskDomain.PROJECTS, estimated_hours=h(4),
                    assignees=(ana.id,), teams=(roads.id,))
    await make_task("late 2", due_at=at(2001, 1, 20), status=TaskStatus.IN_PROGRESS, domain=TaskDomain.PROJECTS,
                    estimated_hours=h(2), actual_hours=h(1), assignees=(ana.id, ben.id))
    await make_task("done", due_at=at(2001, 1, 5), status=TaskStatus.DONE, domain=TaskDomain.MANA,
                    estimated_hours=h(3), actual_hours=h(5), assignees=(ben.id,), teams=(roads.id,))
    await make_task("dropped", due_at=at(2001, 2, 1), status=TaskStatus.CANCELLED, domain=TaskDomain.MANA)
    await make_task("future", due_at=at(2099, 1, 1), domain=TaskDomain.POLICY, estimated_hours=h(1.5))
    body = await gql(ANALYTICS, {}, user=ana)

    data = body["data"]["taskAnalytics"]
    assert data["summary"] == {"count": 5, "open": 3, "done": 1, "overdue": 2, "estimatedHours": 10.5,
                               "actualHours": 6.0, "estimatedHoursDone": 3.0}
    assert data["byStatus"] == [
        {"status": "TODO", "count": 2}, {"status": "IN_PROGRESS", "count": 1}, {"status": "DONE", "count": 1},
        {"status": "CANCELLED", "count": 1},
    ]
    assert data["byDomain"] == [
        {"domain": "MANA", "count": 2, "overdue": 0}, {"domain": "PROJECTS", "count": 2, "overdue": 2},
        {"domain": "POLICY", "count": 1, "overdue": 0},
    ]
    by_user = {row["user"]["name"]: row for row in data["byAssignee"]}
    assert by_user["Ana"] == {"user": {"name": "Ana"}, "count": 2, "open": 2, "done": 0, "overdue": 2,
                              "estimatedHours": 6.0, "actualHours": 1.0, "estimatedHoursDone": 0.0}
    assert by_user["Ben"] == {"user": {"name": "Ben"}, "count": 2, "open": 1, "done": 1, "overdue": 1,
                              "estimatedHours": 5.0, "actualHours": 6.0, "estimatedHoursDone": 3.0}
    assert data["byTeam"] == [{"team": {"name": "Roads-analytics"}, "count": 2, "open": 1,
                               "estimatedHours": 7.0, "actualHours": 5.0}]

    # workload over a date range: only January 2001 due dates, only Ben's tasks
    window = await gql(ANALYTICS, {"filter": {"assigneeIds": [gid("User", ben.id)]},
                                   "start": "2001-01-01T00:00:00Z", "end": "2001-01-15T00:00:00Z"}, user=ana)
    assert window["data"]["taskAnalytics"]["summary"]["count"] == 1
    assert window["data"]["taskAnalytics"]["byAssignee"][0]["user"] == {"name": "Ben"}


async def test_analytics_rejects_a_reversed_window(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user(Role.VIEWER)
    body = await gql(ANALYTICS, {"start": "2001-02-01T00:00:00Z", "end": "2001-01-01T00:00:00Z"}, user=user)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION"
