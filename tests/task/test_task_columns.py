"""The plain-row shape of a task (``TaskColumns``) and the columns selected for it agree."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role, TaskStatus
from db.models import Task
from db.queries.task_columns import TASK_COLUMNS, TaskColumns, TaskRecord, task_records
from schema.task.board import ALWAYS, FIELD_COLUMNS, card_columns
from schema.task.types import TaskType
from tests.conftest import GraphQL, UserFactory
from tests.task.conftest import TaskFactory


def protocol_names() -> set[str]:
    return {name for name, value in vars(TaskColumns).items() if isinstance(value, property)}


def test_selected_columns_are_the_protocol_attributes() -> None:
    assert sorted(column.key for column in TASK_COLUMNS) == sorted(protocol_names())


def test_the_protocol_covers_every_column_the_task_type_reads() -> None:
    """Every TaskType field built from the row, and the link ids its relation fields read."""
    built = {f.python_name for f in TaskType.__strawberry_definition__.fields if f.base_resolver is None and not f.python_name.startswith("_")}
    links = {"created_by_id", "recurrence_parent_id", "community_id", "event_id", "ppa_id", "assessment_id",
             "policy_id", "need_id"}
    assert built | links == protocol_names()


def test_a_record_has_the_selected_columns_in_order() -> None:
    assert TaskRecord._fields == tuple(column.key for column in TASK_COLUMNS)


async def test_a_board_card_is_the_task_built_from_the_model(session: AsyncSession, make_task: TaskFactory) -> None:
    task = await make_task("card", position=2.5, estimated_hours=Decimal("1.50"), rrule="FREQ=WEEKLY")

    [record] = task_records(await session.execute(select(*TASK_COLUMNS).where(Task.id == task.id)))

    assert vars(TaskType.from_model(record)) == {**vars(TaskType.from_model(task)), "_row": record}


def test_every_task_field_says_which_columns_it_reads() -> None:
    from schema.root import schema

    assert {*schema._schema.get_type("Task").fields, "__typename"} == set(FIELD_COLUMNS)
    assert {c for columns in FIELD_COLUMNS.values() for c in columns} | ALWAYS <= {c.key for c in TASK_COLUMNS}


NARROW = "id title dueAt isOverdue createdBy { id } ppa { id } assignees { name }"
WIDE = f"""{NARROW} description status priority domain startsOn completedAt role phase estimatedHours actualHours
  position version rrule createdAt updatedAt community {{ id }} event {{ id }} teams {{ name }}"""


async def test_a_board_selecting_few_fields_answers_them_as_one_selecting_all(
    gql: GraphQL, make_user: UserFactory, make_task: TaskFactory
) -> None:
    user = await make_user(Role.STAFF)
    await make_task("due", due_at=datetime(2020, 1, 1, tzinfo=UTC), created_by_id=user.id, assignees=(user.id,),
                    description="long text", estimated_hours=Decimal("2.5"))
    await make_task("open", status=TaskStatus.REVIEW, role="lead")

    narrow = await gql(f"{{ board {{ columns {{ tasks {{ {NARROW} }} }} }} }}", user=user)
    wide = await gql(f"{{ board {{ columns {{ tasks {{ {WIDE} }} }} }} }}", user=user)

    fields = ["id", "title", "dueAt", "isOverdue", "createdBy", "ppa", "assignees"]
    projected = [[{k: card[k] for k in fields} for card in column["tasks"]] for column in wide["data"]["board"]["columns"]]
    assert [column["tasks"] for column in narrow["data"]["board"]["columns"]] == projected
    assert narrow["data"]["board"]["columns"][0]["tasks"][0]["isOverdue"] is True
    assert card_columns({"title": [], "dueAt": []}) == ALWAYS | {"title", "due_at"}
    assert card_columns({"title": [], "somethingNew": []}) is None
