"""SQL statements per list query do not grow with rows (run with -s to see the figures)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import PpaCategory, Role, TaskDomain, TaskStatus
from db.models import Ppa, Task, TaskAssignee, TaskTeam, Team, User
from db.statements import counting
from tests.conftest import GraphQL, UserFactory
from tests.task.conftest import at

TASKS = """
query($first: Int!) {
  tasks(first: $first, orderBy: DUE_AT_ASC) {
    totalCount
    edges { node { id title status dueAt assignees { name } teams { name } ppa { title } event { title } community { name } recurrenceParent { id } } }
  }
}"""
BOARD = """
{ board(cardsPerColumn: 200) { columns { status totalCount tasks { title position assignees { name } teams { name } } } } }
"""
ANALYTICS = """
{ taskAnalytics {
    summary { count overdue estimatedHours actualHours }
    byStatus { status count } byDomain { domain count } byPriority { priority count }
    byAssignee { user { name } count open } byTeam { team { name } count }
} }"""


async def seed_tasks(session: AsyncSession, count: int, users: list[User], team_ids: list[int]) -> None:
    statuses = list(TaskStatus)
    domains = list(TaskDomain)
    ppas = [Ppa(title=f"Load PPA {n}", category=PpaCategory.PROJECT) for n in range(max(1, count // 10))]
    session.add_all(ppas)
    await session.flush()
    tasks = [
        Task(title=f"Load {n}", status=statuses[n % len(statuses)], domain=domains[n % len(domains)],
             due_at=at(2030 + n % 3, 1 + n % 12, 1 + n % 28), position=float(n), estimated_hours=n % 7,
             ppa_id=ppas[n % len(ppas)].id if n % 2 == 0 else None)
        for n in range(count)
    ]
    session.add_all(tasks)
    await session.flush()
    session.add_all([TaskAssignee(task_id=t.id, user_id=users[i % len(users)].id) for i, t in enumerate(tasks)])
    session.add_all([TaskTeam(task_id=t.id, team_id=team_ids[i % len(team_ids)]) for i, t in enumerate(tasks)])
    await session.flush()


async def measure(gql: GraphQL, query: str, variables: dict[str, Any], user: User) -> tuple[int, dict[str, Any]]:
    with counting() as counter:
        body = await gql(query, variables, user=user)
    assert "errors" not in body, body
    return counter.count, body["data"]


async def test_statement_counts_do_not_grow_with_rows(
    gql: GraphQL, make_user: UserFactory, make_team: Callable[..., Awaitable[Team]], session: AsyncSession
) -> None:
    viewer = await make_user(Role.VIEWER)
    users = [await make_user(Role.STAFF) for _ in range(5)]
    team_ids = [(await make_team()).id for _ in range(3)]
    figures: dict[str, list[int]] = {"tasks (first 100, nested)": [], "board": [], "taskAnalytics": []}

    answers: dict[str, dict[str, Any]] = {}  # the last answer of each query, to check it really listed the rows

    def record(name: str, measured: tuple[int, dict[str, Any]]) -> None:
        figures[name].append(measured[0])
        answers[name] = measured[1]

    seeded = 0
    for size in (10, 500, 1000):
        await seed_tasks(session, size - seeded, users, team_ids)
        seeded = size
        if size <= 500:
            record("tasks (first 100, nested)", await measure(gql, TASKS, {"first": 100}, viewer))
        if size != 500:
            record("board", await measure(gql, BOARD, {}, viewer))
            record("taskAnalytics", await measure(gql, ANALYTICS, {}, viewer))

    print("\n[task query counts] tasks at 10/500 rows; board and taskAnalytics at 10/1000 rows")
    for name, counts in figures.items():
        print(f"  {name}: {counts}")
    for name, counts in figures.items():
        assert len(set(counts)) == 1, (name, counts)
    tasks = answers["tasks (first 100, nested)"]["tasks"]
    assert tasks["totalCount"] >= 500 and len(tasks["edges"]) == 100, tasks["totalCount"]
    assert sum(column["totalCount"] for column in answers["board"]["board"]["columns"]) >= 1000
    assert answers["taskAnalytics"]["taskAnalytics"]["summary"]["count"] >= 1000
