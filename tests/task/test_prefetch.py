"""Lists of tasks load the relations their items select first, so each item answers without awaiting."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from db.enums import Role, TaskStatus
from db.models import Ppa, Team
from schema.core import relations
from tests.conftest import GraphQL, UserFactory
from tests.task.conftest import TaskFactory

NESTED = """{ tasks(first: 50) { nodes { id title
  assignees { id name } ppa { id title owner { id name } } teams { id name } event { id } createdBy { id }
} } }"""
BOARD = "{ board(cardsPerColumn: 20) { columns { status tasks { id ... on Task { assignees { name } } } } } }"


@pytest.fixture
def awaited(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every relation field that had to wait for its rows."""
    calls: list[int] = []
    real = relations._later

    def counted(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(relations, "_later", counted)
    return calls


async def seed(make_user: UserFactory, make_task: TaskFactory, make_ppa: Callable[..., Awaitable[Ppa]],
               make_team: Callable[..., Awaitable[Team]]) -> Any:
    viewer = await make_user(Role.MANAGER)
    owner = await make_user()
    ppa = await make_ppa(owner_id=owner.id)
    team = await make_team()
    for n in range(12):
        await make_task(f"T{n}", assignees=(viewer.id, owner.id), teams=(team.id,), ppa_id=ppa.id if n % 2 else None,
                        created_by_id=viewer.id, status=TaskStatus.TODO if n % 3 else TaskStatus.DONE)
    return viewer


async def test_a_task_list_answers_its_relations_without_awaiting(
    gql: GraphQL, make_user: UserFactory, make_task: TaskFactory, make_ppa: Any, make_team: Any,
    awaited: list[int],
) -> None:
    viewer = await seed(make_user, make_task, make_ppa, make_team)
    body = await gql(NESTED, user=viewer)
    nodes = body["data"]["tasks"]["nodes"]
    assert len(nodes) == 12 and all(len(n["assignees"]) == 2 and len(n["teams"]) == 1 for n in nodes)
    assert sum(1 for n in nodes if n["ppa"] and n["ppa"]["owner"]) == 6
    assert awaited == []


async def test_the_board_prefetches_through_fragments(
    gql: GraphQL, make_user: UserFactory, make_task: TaskFactory, make_ppa: Any, make_team: Any,
    awaited: list[int],
) -> None:
    viewer = await seed(make_user, make_task, make_ppa, make_team)
    body = await gql(BOARD, user=viewer)
    cards = [card for column in body["data"]["board"]["columns"] for card in column["tasks"]]
    assert len(cards) == 12 and all(len(card["assignees"]) == 2 for card in cards)
    assert awaited == []


async def test_a_task_outside_a_list_still_loads_its_relations(
    gql: GraphQL, make_user: UserFactory, make_task: TaskFactory, make_ppa: Any, make_team: Any,
    awaited: list[int],
) -> None:
    viewer = await seed(make_user, make_task, make_ppa, make_team)
    first = (await gql("{ tasks(first: 1) { nodes { id } } }", user=viewer))["data"]["tasks"]["nodes"][0]["id"]
    body = await gql("query($id: ID!) { node(id: $id) { ... on Task { assignees { name } ppa { id } } } }",
                     {"id": first}, user=viewer)
    assert len(body["data"]["node"]["assignees"]) == 2
    assert len(awaited) >= 1  # no prefetch here: the fields waited for their loaders
