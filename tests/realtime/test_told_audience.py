"""A change shown after it was written (catch-up, late delivery) shows the row only if the row's
audience now covers the one the change was told to (db/policies/told.py), checked in a fixed
number of statements however many readers the change was told to."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from db import statements
from db.enums import ChangeOp, Role
from db.models import Task
from db.policies.audience import NOBODY, PUBLIC, SIGNED_IN, Audience, Scope, listed
from db.policies.told import covers
from resolvers.realtime import fresh_row
from server.changes import Change
from server.context import Context


def people(*ids: int, roles: tuple[Role, ...] = ()) -> Audience:
    return Audience(Scope.LISTED, frozenset(ids), frozenset(roles))


@pytest.mark.parametrize(("now", "told", "expected"), [
    (PUBLIC, PUBLIC, True), (PUBLIC, SIGNED_IN, True), (PUBLIC, people(1), True),
    (SIGNED_IN, PUBLIC, False), (SIGNED_IN, SIGNED_IN, True), (SIGNED_IN, people(1, roles=(Role.ADMIN,)), True),
    (people(1, 2), SIGNED_IN, False), (people(1, 2), people(1), True), (people(1), people(1, 2), False),
    (people(1, roles=(Role.ADMIN,)), people(1, roles=(Role.ADMIN,)), True),
    (people(1), people(roles=(Role.ADMIN,)), False),
    (people(roles=(Role.ADMIN,)), people(1), False),  # user 1 may be an admin: withheld, never shown too widely
    (NOBODY, NOBODY, True), (NOBODY, people(1), False),
])
def test_an_audience_covers_another_when_it_names_every_reader_of_it(now: Audience, told: Audience,
                                                                      expected: bool) -> None:
    assert covers(now, told) is expected


def change_of(task: Task, audience: Audience, position: int) -> Change:
    return Change(position=position, id=position, entity_type="Task", entity_id=task.id, op=ChangeOp.UPDATED, payload={},
                  actor_id=None, created_at=datetime.now(UTC), audience=audience)


@pytest.mark.parametrize("told_to", [1, 5_000])  # 5,000: past asyncpg's 32,767 parameters as a rule per reader
async def test_the_row_is_checked_in_the_same_statements_whatever_the_audience(
    app: Any, session: AsyncSession, make_user: Any, told_to: int,
) -> None:
    owner = await make_user()
    task = Task(title="Field visit", position=1024.0, created_by_id=owner.id)
    session.add(task)
    await session.flush()
    state = app.state.almanac
    ctx = Context(settings=state.settings, sessionmaker=state.sessionmaker, notifier=state.notifier, state=state)
    with statements.counting() as sql:
        shown = await fresh_row(ctx, Task, task.id, change_of(task, SIGNED_IN, 1))
    assert shown is not None and shown.id == task.id
    with statements.counting() as wide:
        shown_to_many = await fresh_row(ctx, Task, task.id, change_of(task, listed(range(10**6, 10**6 + told_to)), 2))
    assert shown_to_many is not None  # an office-wide task: every listed reader still reads it
    assert wide.count == sql.count > 0  # the audience, then the row: not a rule per reader
