"""The plain-row shape of a task (``TaskColumns``) and the columns selected for it agree."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Task
from db.queries.task_columns import TASK_COLUMNS, TaskColumns, TaskRecord, task_records
from schema.task.types import TaskType
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
