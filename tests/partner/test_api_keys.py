"""API keys: ADMIN-made, hashed, read-only, limited to their modules and their own budget."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role, Visibility
from db.models import ApiKey, User
from server.api_keys import digest
from tests.calendar import factories as f
from tests.conftest import GraphQL, UserFactory
from tests.partner.conftest import CREATE_KEY, MakeKey
from tests.policy.leaks import secret_marker, seen

TASKS = "{ tasks(first: 50) { edges { node { title } } } }"
START = datetime(2031, 8, 4, 9, tzinfo=UTC)


async def test_only_admins_make_keys_and_the_secret_is_stored_hashed(
    gql: GraphQL, make_user: UserFactory, make_key: MakeKey, session: AsyncSession, admin: User
) -> None:
    manager = await make_user(Role.MANAGER)
    refused = await gql(CREATE_KEY, {"input": {"name": "x", "modules": ["TASKS"]}}, user=manager)
    assert [e["code"] for e in refused["data"]["createApiKey"]["errors"]] == ["PERMISSION_DENIED"]

    key = await make_key(["TASKS"])
    row = await session.scalar(select(ApiKey).where(ApiKey.prefix == key.prefix))
    assert row is not None and row.secret_sha256 == digest(key.secret) and key.secret not in str(row.__dict__)
    listed = await gql("{ apiKeys { edges { node { prefix modules } } } }", user=admin)
    assert listed["data"]["apiKeys"]["edges"] == [{"node": {"prefix": key.prefix, "modules": ["TASKS"]}}]
    assert not seen(key.secret, listed)
    for user in (manager, None):
        body = await gql("{ apiKeys { edges { node { prefix } } } }", user=user)
        assert body.get("data") is None or body["data"]["apiKeys"]["edges"] == []


async def test_a_key_reads_office_records_of_its_modules_and_nothing_private(
    make_key: MakeKey, as_key: Any, make_user: UserFactory, session: AsyncSession
) -> None:
    owner = await make_user()
    marker = secret_marker()
    private = await f.event(session, START, owner_id=owner.id, visibility=Visibility.PRIVATE, title=marker)
    await f.task(session, START, title=f"{marker} briefing", event_id=private.id)
    await f.task(session, START, title="Repaint the health centre")
    key = await make_key(["TASKS"])

    body = await as_key(key, TASKS)
    titles = [e["node"]["title"] for e in body["data"]["tasks"]["edges"]]
    assert "Repaint the health centre" in titles
    assert not seen(marker, body)

    for out_of_scope in (
        "{ events(first: 5) { edges { node { title } } } }",
        "{ tasks(first: 5) { edges { node { event { title } } } } }",  # a relation into CALENDAR
        "{ users(first: 5) { edges { node { name } } } }",
        "mutation { markNotificationsRead(input: {all: true}) { errors { code } } }",
    ):
        refused = await as_key(key, out_of_scope)
        assert refused.get("data") is None, out_of_scope
        assert refused["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED", out_of_scope
        assert not seen(marker, refused)


async def test_a_revoked_or_forged_key_is_not_accepted(
    make_key: MakeKey, as_key: Any, gql: GraphQL, admin: User
) -> None:
    key = await make_key(["TASKS"])
    forged = type(key)(key.id, key.prefix, key.secret[:-2] + "xx")
    assert (await as_key(forged, TASKS))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    revoked = await gql("mutation($id: ID!) { revokeApiKey(input: {id: $id}) { errors { code } } }",
                        {"id": key.id}, user=admin)
    assert revoked["data"]["revokeApiKey"]["errors"] == []
    assert (await as_key(key, TASKS))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_each_key_has_its_own_budget_and_is_counted_in_metrics(
    make_key: MakeKey, as_key: Any, client: httpx.AsyncClient
) -> None:
    small, other = await make_key(["TASKS"], requests_per_minute=2), await make_key(["TASKS"])

    answers = [await as_key(small, TASKS) for _ in range(3)]
    assert ["errors" in a for a in answers] == [False, False, True]
    assert answers[2]["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert "errors" not in await as_key(other, TASKS)  # another key's budget is untouched

    metrics = (await client.get("/metrics")).text
    assert f'almanac_api_key_requests_total{{key="{small.prefix}",outcome="ok"}} 2.0' in metrics
    assert f'almanac_api_key_requests_total{{key="{small.prefix}",outcome="rate_limited"}} 1.0' in metrics
