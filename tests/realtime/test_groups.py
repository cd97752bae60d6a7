"""Subscription groups: N subscribers of one document cost one execution per change,
and a group never shares one audience's content with another."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import ChangeOp, Role, Visibility
from db.models import EventParticipant, Task, TaskAssignee
from db.queries.logs import record_change
from schema.core.ids import to_global_id
from server.socket_writer import raw_transport
from tests.realtime.conftest import (
    Committed,
    LiveServer,
    Subscription,
    post_graphql,
    registered,
    subscribe,
    wait_subscribed,
)
from tests.realtime.test_subscriptions import make_event

TASK_WITH_RELATIONS = """
subscription GroupProbe { taskChanged { op taskId task { title assignees { name email } createdBy { name } } } }
"""


async def subscribers(server: LiveServer, users: list[Any], query: str) -> list[Subscription]:
    subs = []
    for user in users:
        before = registered(server)
        subs.append(await subscribe(server.ws_url, user, query))
        await wait_subscribed(server, before)
    return subs


async def commit_task_change(committed: Committed, title: str, assignee_id: int) -> Task:
    task = Task(title=title, created_by_id=assignee_id)
    async with committed.sessionmaker() as session:
        session.add(task)
        await session.flush()
        session.add(TaskAssignee(task_id=task.id, user_id=assignee_id))
        await record_change(session, "Task", task.id, ChangeOp.CREATED, {"status": "TODO"})
        await session.commit()
    committed.rows.append(task)
    return task


async def costs_of_one_change(server: LiveServer, committed: Committed, subs: list[Subscription],
                              assignee_id: int, title: str) -> tuple[int, int, list[dict[str, Any]]]:
    stats = server.realtime.fanout.stats
    executions, statements = stats.executions, stats.statements
    task = await commit_task_change(committed, title, assignee_id)
    received = [(await sub.data())["taskChanged"] for sub in subs]
    assert all(r["taskId"] == to_global_id("Task", task.id) for r in received)
    return stats.executions - executions, stats.statements - statements, received


async def test_subscribers_of_one_group_cost_one_execution_per_change(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine
) -> None:
    # given one STAFF subscriber, then eight more of the same document and role
    owner = await committed.user()
    users = [await committed.user() for _ in range(9)]
    one = await subscribers(live_server, users[:1], TASK_WITH_RELATIONS)
    # (a first change warms what a process prepares once, e.g. statements built per viewer)
    await costs_of_one_change(live_server, committed, one, owner.id, "warm-up")
    # when a task (office-wide audience) changes with one subscriber
    alone = await costs_of_one_change(live_server, committed, one, owner.id, "one subscriber")
    more = await subscribers(live_server, users[1:], TASK_WITH_RELATIONS)
    # and again with nine
    nine = await costs_of_one_change(live_server, committed, one + more, owner.id, "nine subscribers")
    # then each change was executed once, with the same number of SQL statements
    assert (alone[0], nine[0]) == (1, 1)
    assert nine[1] == alone[1]
    # and everyone got the same payload, without the assignee's e-mail (only they and managers read it)
    assert all(r == nine[2][0] for r in nine[2])
    assert nine[2][0]["task"]["assignees"] == [{"name": owner.name, "email": None}]
    for sub in one + more:
        await sub.close()


async def test_each_role_gets_its_own_execution(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine
) -> None:
    # given two STAFF and two MANAGER subscribers of one document
    owner = await committed.user()
    staff = [await committed.user(Role.STAFF) for _ in range(2)]
    managers = [await committed.user(Role.MANAGER) for _ in range(2)]
    subs = await subscribers(live_server, staff + managers, TASK_WITH_RELATIONS)
    # when a task changes
    executions, _, received = await costs_of_one_change(live_server, committed, subs, owner.id, "per role")
    # then one execution per role: managers read the assignee's e-mail, staff do not
    assert executions == 2
    assert [r["task"]["assignees"][0]["email"] for r in received] == [None, None, owner.email, owner.email]
    for sub in subs:
        await sub.close()


UPDATE_EVENT = """
mutation ($input: UpdateEventInput!) { updateEvent(input: $input) { errors { code message } } }
"""
TASK_TITLES = "subscription { taskChanged { op taskId task { title } } }"


async def test_a_subscriber_who_loses_access_gets_a_removal_and_never_the_new_content(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine
) -> None:
    # given an office-wide event with one participant, a task linked to it, and two subscribers
    # of one document: the participant and another STAFF member
    owner, participant, outsider = [await committed.user() for _ in range(3)]
    event = await committed.add(make_event("group-removal", owner.id, Visibility.INTERNAL, day=3))
    async with committed.sessionmaker() as session:
        session.add(EventParticipant(event_id=event.id, user_id=participant.id))
        await session.commit()
    task = await committed.add(Task(title="Prepare the hearing", event_id=event.id, created_by_id=owner.id))
    reader_sub, outsider_sub = await subscribers(live_server, [participant, outsider], TASK_TITLES)
    event_id = to_global_id("Event", event.id)
    # when the owner makes the event PRIVATE
    updated = await post_graphql(live_server.http_url, UPDATE_EVENT,
                                 {"input": {"id": event_id, "visibility": "PRIVATE"}}, owner)
    assert updated["data"]["updateEvent"]["errors"] == [], updated
    # then the participant still reads the task; the outsider gets a removal without content
    task_id = to_global_id("Task", task.id)
    assert (await reader_sub.data())["taskChanged"] == {
        "op": "UPDATED", "taskId": task_id, "task": {"title": "Prepare the hearing"}}
    assert (await outsider_sub.data())["taskChanged"] == {"op": "DELETED", "taskId": task_id, "task": None}
    # when the task then gets a secret title
    async with committed.sessionmaker() as session:
        await session.execute(update(Task).where(Task.id == task.id).values(title="SECRET disciplinary hearing"))
        await record_change(session, "Task", task.id, ChangeOp.UPDATED, {})
        await session.commit()
    # then only the reader receives it
    assert (await reader_sub.data())["taskChanged"]["task"] == {"title": "SECRET disciplinary hearing"}
    await outsider_sub.nothing_within(1.0)
    # when the participant is removed from the event
    updated = await post_graphql(live_server.http_url, UPDATE_EVENT,
                                 {"input": {"id": event_id, "participantIds": []}}, owner)
    assert updated["data"]["updateEvent"]["errors"] == [], updated
    # then the former participant gets a removal, and nothing more
    assert (await reader_sub.data())["taskChanged"] == {"op": "DELETED", "taskId": task_id, "task": None}
    await reader_sub.nothing_within(0.5)
    await outsider_sub.nothing_within(0.5)
    await reader_sub.close()
    await outsider_sub.close()
    async with committed.sessionmaker() as session:
        await session.execute(delete(EventParticipant).where(EventParticipant.event_id == event.id))
        await session.commit()


async def test_frames_written_straight_to_the_transport_read_like_any_other(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine
) -> None:
    # given one subscriber without permessage-deflate (frames go straight to the transport)
    # and one with it (frames go through the ASGI send)
    owner = await committed.user()
    plain_user, deflate_user = await committed.user(), await committed.user()
    before = registered(live_server)
    plain = await subscribe(live_server.ws_url, plain_user, TASK_WITH_RELATIONS, compression=None)
    await wait_subscribed(live_server, before)
    members = [m for m in live_server.realtime.fanout.members() if m.viewer.user_id == plain_user.id]
    assert [raw_transport(m.writer._protocol) is not None for m in members] == [True]
    before = registered(live_server)
    deflated = await subscribe(live_server.ws_url, deflate_user, TASK_WITH_RELATIONS)
    await wait_subscribed(live_server, before)
    # when a task changes
    _, _, received = await costs_of_one_change(live_server, committed, [plain, deflated], owner.id, "raw frames")
    # then both read the same message
    assert received[0] == received[1]
    assert received[0]["task"]["title"] == "raw frames"
    await plain.close()
    await deflated.close()
