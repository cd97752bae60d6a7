"""``readable_by`` caches each policy's condition per viewer: the cached one must be the SQL a fresh call builds."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import ColumnElement, select
from sqlalchemy.dialects import postgresql

from db.enums import Role
from db.policies import ANONYMOUS, POLICIES, Viewer, readable_by

VIEWERS = [ANONYMOUS, *(Viewer(user_id=7, role=role) for role in Role), Viewer(user_id=8, role=Role.STAFF),
           Viewer(user_id=7, role=Role.STAFF, team_ids=frozenset({1, 2}))]  # an API key limited to teams


def compiled(model: type[Any], condition: ColumnElement[bool]) -> tuple[str, dict[str, Any]]:
    sql = select(model).where(condition).compile(dialect=postgresql.dialect())  # correlated parts need the FROM
    return str(sql), dict(sql.params)


@pytest.mark.parametrize("model", list(POLICIES), ids=lambda m: m.__name__)
def test_cached_condition_is_the_fresh_one_for_every_viewer(model: type[Any]) -> None:
    for viewer in VIEWERS:
        cached = readable_by(model, viewer)
        assert readable_by(model, viewer) is cached  # built once
        assert compiled(model, cached) == compiled(model, POLICIES[model].readable(viewer)), (model, viewer)


def test_viewers_do_not_share_a_condition() -> None:
    from db.models import Task

    staff, other = Viewer(user_id=7, role=Role.STAFF), Viewer(user_id=8, role=Role.STAFF)
    assert compiled(Task, readable_by(Task, staff))[1] != compiled(Task, readable_by(Task, other))[1]
