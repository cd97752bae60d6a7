"""createTask / updateTask / deleteTask: CRUD, validation, permission, stale versions, change log."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ChangeOp, Role, TaskStatus
from db.models import ChangeLog, Community, Task
from schema.core.ids import decode_id
from tests.conftest import GraphQL, UserFactory
from tests.task.conftest import TaskFactory, gid

TASK_FIELDS = """id title status priority domain startsOn dueAt role phase estimatedHours actualHours version rrule
                 assignees { name } teams { name } community { name }"""
CREATE = f"""
mutation($input: CreateTaskInput!) {{
  createTask(input: $input) {{ task {{ {TASK_FIELDS} }} errors {{ code field message }} }}
}}"""
UPDATE = f"""
mutation($input: UpdateTaskInput!) {{
  updateTask(input: $input) {{ task {{ {TASK_FIELDS} }} errors {{ code field message }} }}
}}"""
DELETE = """
mutation($input: DeleteTaskInput!) { deleteTask(input: $input) { deletedId errors { code field message } } }
"""


async def test_create_task_with_assignees_teams_and_link(
    gql: GraphQL, make_user: UserFactory, make_team, session: AsyncSession
) -> None:
    staff = await make_user(Role.STAFF, name="Sam")
    team = await make_team("Roads")
    community = Community(name="Riverside")
    session.add(community)
    await session.flush()

    body = await gql(CREATE, {"input": {
        "title": "  Survey the bridge ", "priority": "HIGH", "domain": "COMMUNITY", "startsOn": "2031-03-01",
        "dueAt": "2031-03-05T17:00:00+00:00", "role": "Engineer", "estimatedHours": 6.5,
        "assigneeIds": [gid("User", staff.id)], "teamIds": [gid("Team", team.id)],
        "linkId": gid("Community", community.id),
    }}, user=staff)

    payload = body["data"]["createTask"]
    assert payload["errors"] == []
    task = payload["task"]
    task_pk = decode_id(task.pop("id"), "Task", field="id")
    assert task == {
        "title": "Survey the bridge", "status": "TODO", "priority": "HIGH", "domain": "COMMUNITY",
        "startsOn": "2031-03-01", "dueAt": "2031-03-05T17:00:00+00:00", "role": "Engineer", "phase": "",
        "estimatedHours": 6.5, "actualHours": None, "version": 1, "rrule": None,
        "assignees": [{"name": "Sam"}], "teams": [{"name": "Roads"}], "community": {"name": "Riverside"},
    }
    change = (await session.scalars(
        select(ChangeLog).where(ChangeLog.entity_type == "Task", ChangeLog.entity_id == task_pk)
    )).one()
    assert change.op == ChangeOp.CREATED
    assert change.payload == {
        "module": "TASKS", "start": "2031-03-05T17:00:00+00:00", "end": "2031-03-05T17:00:00+00:00",
        "status": "TODO", "ppa_id": None, "event_id": None, "assignee_ids": [staff.id], "team_ids": [team.id],
    }


async def test_update_changes_fields_bumps_version_and_logs_old_span(
    gql: GraphQL, make_user: UserFactory, make_task: TaskFactory, session: AsyncSession
) -> None:
    staff = await make_user(Role.STAFF)
    other = await make_user(Role.STAFF, name="Olga")
    task = await make_task("Draft memo", due_at=None, created_by_id=staff.id)

    body = await gql(UPDATE, {"input": {
        "id": gid("Task", task.id), "expectedVersion": 1, "title": "Draft the memo", "status": "DONE",
        "actualHours": 3, "dueAt": "2031-01-10T09:00:00+00:00", "assigneeIds": [gid("User", other.id)],
    }}, user=staff)

    payload = body["data"]["updateTask"]
    assert payload["errors"] == []
    assert payload["task"]["title"] == "Draft the memo"
    assert (payload["task"]["status"], payload["task"]["version"], payload["task"]["actualHours"]) == ("DONE", 2, 3.0)
    assert payload["task"]["assignees"] == [{"name": "Olga"}]
    row = await session.get(Task, task.id, populate_existing=True)
    assert row is not None and row.completed_at is not None
    change = (await session.scalars(select(ChangeLog).where(ChangeLog.entity_id == task.id))).one()
    assert change.payload["old_start"] is None and change.payload["start"] == "2031-01-10T09:00:00+00:00"
    assert change.payload["status"] == "DONE" and change.payload["assignee_ids"] == [other.id]


async def test_stale_version_is_a_conflict_and_changes_nothing(
    gql: GraphQL, make_user: UserFactory, make_task: TaskFactory
) -> None:
    staff = await make_user(Role.STAFF)
    task = await make_task("Original", created_by_id=staff.id)
    first = await gql(UPDATE, {"input": {"id": gid("Task", task.id), "expectedVersion": 1, "title": "First"}}, user=staff)
    assert first["data"]["updateTask"]["errors"] == []

    stale = await gql(UPDATE, {"input": {"id": gid("Task", task.id), "expectedVersion": 1, "title": "Second"}}, user=staff)

    assert stale["data"]["updateTask"] == {"task": None, "errors": [{
        "code": "CONFLICT", "field": "input.expectedVersion",
        "message": "The task was changed by someone else; reload it and try again.",
    }]}
    again = await gql("query($id: ID!) { node(id: $id) { ... on Task { title version } } }",
                      {"id": gid("Task", task.id)}, user=staff)
    assert again["data"]["node"] == {"title": "First", "version": 2}


async def test_viewer_cannot_create_update_or_delete(gql: GraphQL, make_user: UserFactory, make_task: TaskFactory) -> None:
    viewer = await make_user(Role.VIEWER)
    task = await make_task()
    denied = [{"code": "PERMISSION_DENIED", "field": None, "message": "Viewers have read-only access."}]

    created = await gql(CREATE, {"input": {"title": "Nope"}}, user=viewer)
    updated = await gql(UPDATE, {"input": {"id": gid("Task", task.id), "expectedVersion": 1, "title": "x"}}, user=viewer)
    deleted = await gql(DELETE, {"input": {"id": gid("Task", task.id)}}, user=viewer)

    assert created["data"]["createTask"] == {"task": None, "errors": denied}
    assert updated["data"]["updateTask"] == {"task": None, "errors": denied}
    assert deleted["data"]["deleteTask"] == {"deletedId": None, "errors": denied}


async def _errors(gql: GraphQL, user, input: dict) -> list[dict]:
    body = await gql(CREATE, {"input": input}, user=user)
    return [{k: e[k] for k in ("code", "field")} for e in body["data"]["createTask"]["errors"]]


async def test_validation_of_create_input(gql: GraphQL, make_user: UserFactory, make_team) -> None:
    staff = await make_user(Role.STAFF)
    team = await make_team()

    assert await _errors(gql, staff, {"title": "   "}) == [{"code": "VALIDATION", "field": "input.title"}]
    assert await _errors(gql, staff, {"title": "x" * 301}) == [{"code": "VALIDATION", "field": "input.title"}]
    assert await _errors(gql, staff, {"title": "t", "estimatedHours": -1}) == [
        {"code": "VALIDATION", "field": "input.estimatedHours"}]
    assert await _errors(gql, staff, {"title": "t", "actualHours": -0.5}) == [
        {"code": "VALIDATION", "field": "input.actualHours"}]
    assert await _errors(gql, staff, {"title": "t", "startsOn": "2031-03-10", "dueAt": "2031-03-01T10:00:00+00:00"}) == [
        {"code": "VALIDATION", "field": "input.dueAt"}]
    assert await _errors(gql, staff, {"title": "t", "dueAt": "2031-03-01T10:00:00"}) == [
        {"code": "VALIDATION", "field": "input.dueAt"}]
    # a Team id where a User id belongs, and a Team id as the linked object
    assert await _errors(gql, staff, {"title": "t", "assigneeIds": [gid("Team", team.id)]}) == [
        {"code": "VALIDATION", "field": "input.assigneeIds"}]
    assert await _errors(gql, staff, {"title": "t", "linkId": gid("Team", team.id)}) == [
        {"code": "VALIDATION", "field": "input.linkId"}]
    assert await _errors(gql, staff, {"title": "t", "assigneeIds": ["garbage"]}) == [
        {"code": "VALIDATION", "field": "input.assigneeIds"}]
    assert await _errors(gql, staff, {"title": "t", "assigneeIds": [gid("User", 987654321)]}) == [
        {"code": "NOT_FOUND", "field": "input.assigneeIds"}]
    assert await _errors(gql, staff, {"title": "t", "linkId": gid("Ppa", 987654321)}) == [
        {"code": "NOT_FOUND", "field": "input.linkId"}]
    assert await _errors(gql, staff, {"title": "t", "rrule": "FREQ=WEEKLY"}) == [
        {"code": "VALIDATION", "field": "input.rrule"}]
    assert await _errors(gql, staff, {"title": "t", "rrule": "FREQ=SOMETIMES", "dueAt": "2031-03-01T10:00:00Z"}) == [
        {"code": "VALIDATION", "field": "input.rrule"}]


async def test_update_validation_checks_the_merged_dates_and_nulls(
    gql: GraphQL, make_user: UserFactory, make_task: TaskFactory
) -> None:
    staff = await make_user(Role.STAFF)
    task = await make_task(starts_on=__import__("datetime").date(2031, 5, 10), created_by_id=staff.id)

    early = await gql(UPDATE, {"input": {"id": gid("Task", task.id), "expectedVersion": 1,
                                         "dueAt": "2031-05-01T10:00:00+00:00"}}, user=staff)
    null_title = await gql(UPDATE, {"input": {"id": gid("Task", task.id), "expectedVersion": 1, "title": None}}, user=staff)
    wrong_type = await gql(UPDATE, {"input": {"id": gid("User", staff.id), "expectedVersion": 1}}, user=staff)
    missing = await gql(UPDATE, {"input": {"id": gid("Task", 987654321), "expectedVersion": 1}}, user=staff)

    assert early["data"]["updateTask"]["errors"][0]["field"] == "input.dueAt"
    assert null_title["data"]["updateTask"]["errors"][0] == {
        "code": "VALIDATION", "field": "input.title", "message": "Must not be null."}
    assert wrong_type["data"]["updateTask"]["errors"][0]["code"] == "VALIDATION"
    assert missing["data"]["updateTask"]["errors"][0]["code"] == "NOT_FOUND"


async def test_delete_removes_the_task_and_logs_its_old_span(
    gql: GraphQL, make_user: UserFactory, make_task: TaskFactory, session: AsyncSession
) -> None:
    staff = await make_user(Role.STAFF)
    from tests.task.conftest import at
    task = await make_task("Gone soon", due_at=at(2031, 2, 2), created_by_id=staff.id)
    task_id = task.id

    stale = await gql(DELETE, {"input": {"id": gid("Task", task_id), "expectedVersion": 7}}, user=staff)
    body = await gql(DELETE, {"input": {"id": gid("Task", task_id), "expectedVersion": 1}}, user=staff)

    assert stale["data"]["deleteTask"]["errors"][0]["code"] == "CONFLICT"
    assert body["data"]["deleteTask"] == {"deletedId": gid("Task", task_id), "errors": []}
    session.expunge_all()
    assert await session.get(Task, task_id) is None
    change = (await session.scalars(select(ChangeLog).where(ChangeLog.entity_id == task_id))).one()
    assert change.op == ChangeOp.DELETED
    assert change.payload["old_start"] == "2031-02-02T12:00:00+00:00"
    assert change.payload["status"] == TaskStatus.TODO.value
