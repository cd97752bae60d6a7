"""Hole 6: feeds and exports are rate limited and answer 304 to a client that has the current version."""
from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ChangeOp, Role
from db.queries.logs import record_change
from server.settings import Settings
from tests.conftest import REDIS_URL, SECRET, GraphQL, UserFactory, token_for

CREATE_LINK = "mutation L($input: CreateShareLinkInput!) { createShareLink(input: $input) { token errors { code } } }"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(DATABASE_URL=database_url, REDIS_URL=REDIS_URL, ALMANAC_SECRET_KEY=SECRET,
                    ALMANAC_FEED_RATE_LIMIT="4/minute", ALMANAC_REDIS_NAMESPACE=f"t-{uuid.uuid4().hex[:8]}")


async def feed_path(gql: GraphQL, make_user: UserFactory) -> str:
    owner = await make_user(Role.STAFF)
    created = await gql(CREATE_LINK, {"input": {"name": "Office"}}, user=owner)
    return f"/calendar/feed/{created['data']['createShareLink']['token']}.ics"


async def test_an_unchanged_feed_answers_304_and_a_change_gives_a_new_etag(
    client: httpx.AsyncClient, gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    path = await feed_path(gql, make_user)
    first = await client.get(path)
    assert first.status_code == 200 and first.headers["etag"].startswith('W/"')
    again = await client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == first.headers["etag"]

    await record_change(session, "Event", 1, ChangeOp.CREATED, {})  # any committed change to the data
    await session.flush()
    changed = await client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200 and changed.headers["etag"] != first.headers["etag"]
    assert changed.content.startswith(b"BEGIN:VCALENDAR")


async def test_a_feed_polled_too_often_answers_429(
    client: httpx.AsyncClient, gql: GraphQL, make_user: UserFactory
) -> None:
    path = await feed_path(gql, make_user)
    codes = [(await client.get(path)).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]


async def test_the_export_has_an_etag_and_a_rate_limit(client: httpx.AsyncClient, make_user: UserFactory) -> None:
    headers = {"Authorization": f"Bearer {token_for(await make_user(Role.STAFF))}"}
    params = {"start": "2026-03-01T00:00:00Z", "end": "2026-04-01T00:00:00Z"}
    first = await client.get("/calendar/export.ics", params=params, headers=headers)
    assert first.status_code == 200
    cached = await client.get("/calendar/export.ics", params=params,
                              headers={**headers, "If-None-Match": first.headers["etag"]})
    assert cached.status_code == 304
    other_window = await client.get("/calendar/export.ics", params={**params, "end": "2026-05-01T00:00:00Z"},
                                    headers={**headers, "If-None-Match": first.headers["etag"]})
    assert other_window.status_code == 200
    assert (await client.get("/calendar/export.ics", params=params, headers=headers)).status_code == 200  # 4th
    limited = await client.get("/calendar/export.ics", params=params, headers=headers)
    assert limited.status_code == 429 and limited.json()["code"] == "RATE_LIMITED"
    assert int(limited.headers["retry-after"]) >= 1
