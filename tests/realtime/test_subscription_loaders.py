"""A pushed event's sibling fields load concurrently on the event's one session without tripping over each other."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import ChangeOp
from db.models import Task, TaskAssignee
from db.queries.logs import record_change
from schema.core.ids import to_global_id
from tests.realtime.conftest import Committed, LiveServer, head_cursor, subscribe

TASK_WITH_RELATIONS = """
subscription ($after: String) {
  taskChanged(after: $after) {
    taskId
    task { title createdBy { name } assignees { name } teams { name } recurrenceParent { title } }
  }
}
"""


async def test_sibling_loaders_of_a_pushed_task_share_its_session(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine
) -> None:
    # given a subscriber asking for several loader-backed fields of each task
    user = await committed.user()
    after = await head_cursor(engine)
    sub = await subscribe(live_server.ws_url, user, TASK_WITH_RELATIONS, {"after": after})
    # when a task created by and assigned to that user and a recurrence child of it commit
    parent = await committed.add(Task(title="Series", created_by_id=user.id))
    child = Task(title="Next one", created_by_id=user.id, recurrence_parent_id=parent.id)
    async with committed.sessionmaker() as session:
        session.add(child)
        await session.flush()
        session.add(TaskAssignee(task_id=child.id, user_id=user.id))
        await record_change(session, "Task", child.id, ChangeOp.CREATED, {"status": "TODO", "assignee_ids": [user.id]})
        await session.commit()
    committed.rows.append(child)
    # then the pushed event resolves every field (four loaders dispatched in one tick)
    data = (await sub.data())["taskChanged"]
    assert data == {
        "taskId": to_global_id("Task", child.id),
        "task": {"title": "Next one", "createdBy": {"name": user.name}, "assignees": [{"name": user.name}],
                 "teams": [], "recurrenceParent": {"title": "Series"}},
    }
    await sub.close()
