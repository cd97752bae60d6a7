"""Searches treat %, _ and backslash literally (db/queries/search.py), in every list that searches."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from db.models import Community
from db.queries.search import contains_pattern
from tests.calendar import factories as make
from tests.conftest import GraphQL, UserFactory


def test_pattern_escapes_like_metacharacters() -> None:
    assert contains_pattern("50%_off\\") == "%50\\%\\_off\\\\%"


FIELDS = ("communities", "events", "resources", "tasks", "users")


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("wildcard", ["%", "_", "\\"])
async def test_a_wildcard_alone_matches_nothing(gql: GraphQL, make_user: UserFactory, session: AsyncSession,
                                                field: str, wildcard: str) -> None:
    admin = await make_user(Role.ADMIN, name="Plain Name")
    await make.event(session, datetime(2026, 3, 2, 9, tzinfo=UTC), title="Plain title")
    await make.task(session, datetime(2026, 3, 2, 9, tzinfo=UTC), title="Plain task")
    await make.resource(session)
    session.add(Community(name="Plain barangay"))

    body = await gql(f"query ($q: String!) {{ {field}(filter: {{search: $q}}) {{ totalCount }} }}", {"q": wildcard},
                     user=admin)

    assert "errors" not in body, body
    assert body["data"][field]["totalCount"] == 0
