"""A request's objects are freed when it ends, not left in reference cycles for the collector (issue 12).

Each HTTP operation used to leave its context, request, response, executor and dataloaders in
reference cycles (the context's loaders held the context; graphql-core's resolver helpers held
the executor): ~37 objects for ``{ __typename }``, ~550 for a page of tasks with relations.
Nothing freed them but a young collection, which then walked tens of thousands of objects every
~1,000 requests, and the memory they held stayed in use until then. Here the collector is
paused, the operations run, and a collection must find none of the request's objects unreachable.
"""
from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import PpaCategory, Role, TaskStatus
from db.models import Ppa, Task, TaskAssignee
from db.policies import Viewer
from server.app import NullNotifier
from server.settings import Settings
from server.socket_context import EventScope, SocketContext
from tests.conftest import GraphQL, UserFactory

TASKS = """{ tasks(first: 10) { nodes { id title status assignees { id name } ppa { id title owner { id name } } } } }"""


@pytest.fixture
def collector_paused() -> Iterator[None]:
    """No automatic collection, and what a collection finds unreachable is saved in ``gc.garbage``."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def unreachable_kinds() -> set[str]:
    gc.collect()
    kinds = {f"{type(obj).__module__}.{type(obj).__qualname__}" for obj in gc.garbage}
    gc.garbage.clear()
    return kinds


# The server's per-request objects (the test client's own httpx requests have cycles of their own).
REQUEST_OBJECTS = {"server.context.Context", "dataloaders.registry.Loaders", "strawberry.dataloader.DataLoader",
                   "schema.core.fast_fields.FastFieldsExecutor", "starlette.requests.Request",
                   "starlette.responses.Response"}


@pytest.mark.usefixtures("collector_paused")
async def test_an_operation_leaves_no_request_objects_in_cycles(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession,
) -> None:
    user = await make_user(Role.STAFF)
    ppa = Ppa(title="Water system", category=PpaCategory.PROJECT, owner_id=user.id)
    session.add(ppa)
    await session.flush()
    for n in range(3):
        task = Task(title=f"Survey {n}", status=TaskStatus.TODO, position=float(n), ppa_id=ppa.id)
        session.add(task)
        await session.flush()
        session.add(TaskAssignee(task_id=task.id, user_id=user.id))
    await gql("{ __typename }")  # warm: first use builds lasting plans and caches
    await gql(TASKS, user=user)
    unreachable_kinds()

    assert (await gql("{ __typename }")) == {"data": {"__typename": "Query"}}
    assert unreachable_kinds() & REQUEST_OBJECTS == set()
    assert (await gql("{ me { id } }", user=user))["data"]["me"]["id"]
    assert unreachable_kinds() & REQUEST_OBJECTS == set()
    page = await gql(TASKS, user=user)
    assert len(page["data"]["tasks"]["nodes"]) == 3
    assert all(node["assignees"] and node["ppa"]["owner"] for node in page["data"]["tasks"]["nodes"])
    assert unreachable_kinds() & REQUEST_OBJECTS == set()


@pytest.mark.usefixtures("collector_paused")
def test_a_websocket_context_whose_own_loaders_were_used_leaves_no_cycle(
    settings: Settings,
) -> None:
    """Its loaders come on first use (outside an event scope), built as an HTTP context's are."""
    context = SocketContext(settings=settings, sessionmaker=async_sessionmaker(), notifier=NullNotifier())
    assert context.loaders is context.loaders
    del context
    assert "server.socket_context.SocketContext" not in unreachable_kinds()


@pytest.mark.usefixtures("collector_paused")
async def test_an_event_scope_whose_session_and_loaders_were_used_leaves_no_cycle() -> None:
    """One scope per fan-out execution (server.fanout): each must be freed when its event is done."""
    scope = EventScope(async_sessionmaker(), Viewer.of(None))
    assert scope.session() is scope.loaders.reader.session
    await scope.close()
    del scope
    assert "server.socket_context.EventScope" not in unreachable_kinds()
