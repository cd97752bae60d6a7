"""The fast path for plain fields answers exactly what graphql-core's own execution answers."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from db.models import User
from db.seed import seed_demo
from schema.core.fast_fields import FastFieldsExecutor, FieldPlan, LinkPlan, plan_field
from schema.root import schema
from server.app import NullNotifier
from server.context import Context
from server.settings import Settings

TASKS = """{ tasks(first: 30) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
  id title status priority domain dueAt startsOn estimatedHours position version isOverdue rrule
  assignees { id name role email } ppa { id title owner { id name } } teams { id name } event { id title }
  createdBy { id } community { id } } } } }"""
BOARD = """{ board(cardsPerColumn: 15) { columns { status totalCount tasks {
  __typename id title priority dueAt position assignees { id name } } } } }"""
CALENDAR = """query($start: DateTime!, $end: DateTime!) { calendar(start: $start, end: $end) {
  start end entries { id kind module title start end allDay timezone recurrenceId
  alias: title source { __typename ... on Event { id title } ... on Task { id dueAt } } } } }"""
CALENDAR_PLAIN = """query($start: DateTime!, $end: DateTime!) { calendar(start: $start, end: $end) {
  entries { __typename id kind module title start end allDay timezone recurrenceId } } }"""
ME = "{ me { id name role timezone isActive email teams { id name } } }"
TYPENAMES = """{ t: __typename __typename me { __typename id n: __typename teams { __typename name } }
  tasks(first: 3) { __typename nodes { __typename id } } b: __typename }"""


async def run(executor: type[Any], query: str, variables: dict[str, Any], user: User,
              sessionmaker: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(schema, "execution_context_class", executor)
    ctx = Context(settings=Settings(ALMANAC_RATE_LIMIT="off"), sessionmaker=sessionmaker, notifier=NullNotifier(),
                  user=user)
    try:
        result = await schema.execute(query, variable_values=variables, context_value=ctx)
    finally:
        await ctx.close()
    assert result.errors is None, result.errors
    return result.data


async def test_fast_and_plain_execution_answer_the_same(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_demo(session, scale=1, year=2026)
    admin = (await session.scalars(select(User).where(User.email == "admin@almanac.local"))).one()
    window = {"start": datetime(2026, 3, 1, tzinfo=UTC).isoformat(), "end": datetime(2026, 3, 8, tzinfo=UTC).isoformat()}
    for query, variables in ((TASKS, {}), (BOARD, {}), (CALENDAR, window), (CALENDAR_PLAIN, window), (TYPENAMES, {}),
                             (ME, {})):
        fast = await run(FastFieldsExecutor, query, variables, admin, sessionmaker, monkeypatch)
        plain = await run(StrawberryGraphQLCoreExecutionContext, query, variables, admin, sessionmaker, monkeypatch)
        assert fast == plain
        assert list(fast) == list(plain)  # the same key order too
    assert len(fast["me"]["teams"]) >= 0 and fast["me"]["email"] == "admin@almanac.local"


def test_only_plain_leaf_fields_default_node_ids_and_links_take_the_fast_path() -> None:
    task = schema._schema.get_type("Task")
    assert schema.execution_context_class is FastFieldsExecutor
    plans = {name: plan_field(task, field) for name, field in task.fields.items()}
    assert all(isinstance(plans[name], FieldPlan) for name in ("id", "title", "status", "dueAt", "version"))
    assert all(isinstance(plans[name], LinkPlan) for name in ("assignees", "teams", "ppa", "event", "createdBy"))
    # computed fields and relations answered by an async resolver resolve as before
    assert plans["isOverdue"] is None and plans["recurrenceParent"] is None and plans["attachments"] is None
    user = schema._schema.get_type("User")
    assert plan_field(user, user.fields["email"]) is None  # a resolver with a permission rule
