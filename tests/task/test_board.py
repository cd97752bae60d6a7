"""board and moveTask: stable column order, placement between neighbours, rebalancing."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role, TaskStatus
from db.models import Task
from db.rules import kanban
from tests.conftest import GraphQL, UserFactory
from tests.task.conftest import TaskFactory, gid

BOARD = """
query($filter: TaskFilter, $n: Int!) {
  board(filter: $filter, cardsPerColumn: $n) { columns { status totalCount tasks { title } } }
}"""
MOVE = """
mutation($input: MoveTaskInput!) {
  moveTask(input: $input) { task { title status position version completedAt } errors { code field message } }
}"""


def titles(board: dict, status: str) -> list[str]:
    column = next(c for c in board["data"]["board"]["columns"] if c["status"] == status)
    return [t["title"] for t in column["tasks"]]


async def test_board_has_every_column_ordered_by_position_then_id(
    gql: GraphQL, make_user: UserFactory, make_task: TaskFactory
) -> None:
    user = await make_user(Role.VIEWER)
    await make_task("second", position=2.0)
    await make_task("first", position=1.0)
    await make_task("tie-older", position=3.0)
    await make_task("tie-newer", position=3.0)
    await make_task("review", status=TaskStatus.REVIEW, position=1.0)

    body = await gql(BOARD, {"n": 3}, user=user)

    columns = body["data"]["board"]["columns"]
    assert [c["status"] for c in columns] == ["TODO", "IN_PROGRESS", "BLOCKED", "REVIEW", "DONE", "CANCELLED"]
    assert columns[0] == {"status": "TODO", "totalCount": 4,
                          "tasks": [{"title": "first"}, {"title": "second"}, {"title": "tie-older"}]}
    assert titles(body, "REVIEW") == ["review"]
    filtered = await gql(BOARD, {"n": 10, "filter": {"search": "tie"}}, user=user)
    assert titles(filtered, "TODO") == ["tie-older", "tie-newer"]


async def test_move_places_cards_after_and_before_neighbours(
    gql: GraphQL, make_user: UserFactory, make_task: TaskFactory
) -> None:
    staff = await make_user(Role.STAFF)
    a = await make_task("a", status=TaskStatus.IN_PROGRESS, created_by_id=staff.id)
    b = await make_task("b", status=TaskStatus.IN_PROGRESS, created_by_id=staff.id)
    await make_task("c", status=TaskStatus.IN_PROGRESS, created_by_id=staff.id)
    x = await make_task("x", created_by_id=staff.id)
    y = await make_task("y", created_by_id=staff.id)

    after_a = await gql(MOVE, {"input": {"id": gid("Task", x.id), "status": "IN_PROGRESS", "afterId": gid("Task", a.id)}}, user=staff)
    before_a = await gql(MOVE, {"input": {"id": gid("Task", y.id), "status": "IN_PROGRESS", "beforeId": gid("Task", a.id)}}, user=staff)
    to_end = await gql(MOVE, {"input": {"id": gid("Task", a.id), "status": "IN_PROGRESS"}}, user=staff)
    done = await gql(MOVE, {"input": {"id": gid("Task", b.id), "status": "DONE", "expectedVersion": 1}}, user=staff)

    assert after_a["data"]["moveTask"]["errors"] == [] and before_a["data"]["moveTask"]["errors"] == []
    assert to_end["data"]["moveTask"]["task"]["version"] == 2
    assert done["data"]["moveTask"]["task"]["status"] == "DONE"
    assert done["data"]["moveTask"]["task"]["completedAt"] is not None
    board = await gql(BOARD, {"n": 10}, user=staff)
    assert titles(board, "IN_PROGRESS") == ["y", "x", "c", "a"]
    assert titles(board, "DONE") == ["b"]


async def test_move_rejects_bad_neighbours_and_stale_versions(
    gql: GraphQL, make_user: UserFactory, make_task: TaskFactory
) -> None:
    staff = await make_user(Role.STAFF)
    a = await make_task("a", created_by_id=staff.id)
    b = await make_task("b", status=TaskStatus.REVIEW, created_by_id=staff.id)

    wrong_column = await gql(MOVE, {"input": {"id": gid("Task", a.id), "status": "TODO", "afterId": gid("Task", b.id)}}, user=staff)
    itself = await gql(MOVE, {"input": {"id": gid("Task", a.id), "status": "TODO", "afterId": gid("Task", a.id)}}, user=staff)
    stale = await gql(MOVE, {"input": {"id": gid("Task", a.id), "status": "REVIEW", "expectedVersion": 9}}, user=staff)
    wrong_type = await gql(MOVE, {"input": {"id": gid("User", staff.id), "status": "REVIEW"}}, user=staff)

    assert wrong_column["data"]["moveTask"]["errors"] == [
        {"code": "VALIDATION", "field": "input.afterId", "message": "That task is not in the target column."}]
    assert itself["data"]["moveTask"]["errors"][0]["field"] == "input.afterId"
    assert stale["data"]["moveTask"]["errors"][0]["code"] == "CONFLICT"
    assert wrong_type["data"]["moveTask"]["errors"][0] == {
        "code": "VALIDATION", "field": "input.id", "message": "Expected an id of Task, got User."}


async def test_crowded_gap_rebalances_the_column_and_keeps_order(
    gql: GraphQL, make_user: UserFactory, make_task: TaskFactory, session: AsyncSession
) -> None:
    staff = await make_user(Role.STAFF)
    left = await make_task("left", status=TaskStatus.BLOCKED, position=10.0, created_by_id=staff.id)
    await make_task("right", status=TaskStatus.BLOCKED, position=10.0 + kanban.MIN_GAP, created_by_id=staff.id)
    mover = await make_task("mover", created_by_id=staff.id)

    body = await gql(MOVE, {"input": {"id": gid("Task", mover.id), "status": "BLOCKED", "afterId": gid("Task", left.id)}}, user=staff)

    assert body["data"]["moveTask"]["errors"] == []
    rows = (await session.execute(
        select(Task.title, Task.position).where(Task.status == TaskStatus.BLOCKED).order_by(Task.position, Task.id)
        .execution_options(populate_existing=True)
    )).all()
    assert [title for title, _ in rows] == ["left", "mover", "right"]
    assert [p for _, p in rows] == [kanban.GAP, kanban.GAP * 1.5, kanban.GAP * 2]
