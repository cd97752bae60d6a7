"""A task's linked objects obey their own read rules; a task linked to a PRIVATE event is read
only by that event's readers and the task's assignees (db/policies/task.py)."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Visibility
from db.models import Event, EventParticipant, TaskAssignee, User
from tests.conftest import GraphQL, UserFactory
from tests.task.conftest import TaskFactory, gid

TASK = "query($id: ID!) { node(id: $id) { ... on Task { title event { title } createdBy { name } } } }"


async def add_event(session: AsyncSession, owner: User, visibility: Visibility) -> Event:
    event = Event(
        uid=f"{uuid.uuid4()}@test", title=f"{visibility.value} briefing", visibility=visibility, owner_id=owner.id,
        starts_at=datetime(2031, 5, 5, 9, tzinfo=UTC), ends_at=datetime(2031, 5, 5, 10, tzinfo=UTC),
    )
    session.add(event)
    await session.flush()
    return event


async def event_seen_by(gql: GraphQL, task_id: int, user: User) -> dict | None:
    body = await gql(TASK, {"id": gid("Task", task_id)}, user=user)
    assert "errors" not in body, body
    return body["data"]["node"]["event"]


async def test_a_task_of_a_private_event_is_hidden_from_outsiders_and_shown_to_assignees(
    gql: GraphQL, make_user: UserFactory, make_task: TaskFactory, session: AsyncSession
) -> None:
    owner, participant, outsider = await make_user(), await make_user(), await make_user()
    secret = await add_event(session, owner, Visibility.PRIVATE)
    session.add(EventParticipant(event_id=secret.id, user_id=participant.id))
    task = await make_task("Prepare the briefing", event_id=secret.id, created_by_id=owner.id)

    assert await event_seen_by(gql, task.id, owner) == {"title": "PRIVATE briefing"}
    assert await event_seen_by(gql, task.id, participant) == {"title": "PRIVATE briefing"}
    # an outsider reads neither the task (its title would leak the hearing) nor the event
    body = await gql(TASK, {"id": gid("Task", task.id)}, user=outsider)
    assert body == {"data": {"node": None}}
    # an assignee who is not invited reads the task, but the event itself stays hidden
    session.add(TaskAssignee(task_id=task.id, user_id=outsider.id))
    body = await gql(TASK, {"id": gid("Task", task.id)}, user=outsider)
    assert body["data"]["node"] == {"title": "Prepare the briefing", "event": None, "createdBy": {"name": owner.name}}


async def test_internal_event_of_a_task_reads_for_any_signed_in_user(
    gql: GraphQL, make_user: UserFactory, make_task: TaskFactory, session: AsyncSession
) -> None:
    owner, colleague = await make_user(), await make_user()
    shared = await add_event(session, owner, Visibility.INTERNAL)
    task = await make_task("Book the hall", event_id=shared.id)

    assert await event_seen_by(gql, task.id, colleague) == {"title": "INTERNAL briefing"}
