"""50 concurrent overlapping createBooking requests, each committing in its own session:
exactly one booking, 49 CONFLICT errors naming it. PostgreSQL's exclusion constraint decides."""
from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import ResourceKind, Role
from db.models import AuditLog, Booking, ChangeLog, Resource, User
from server.settings import Settings
from tests.booking.factories import at, gid
from tests.conftest import REDIS_URL, token_for

CREATE_BOOKING = """
mutation Book($input: CreateBookingInput!) {
  createBooking(input: $input) { booking { id } errors { code field message } }
}
"""
RACERS = 50


@pytest.fixture
async def committed_client(
    settings: Settings, committed_sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    """The app on sessions that really commit: one per request, as in production."""
    from server.app import create_app

    application = create_app(settings, sessionmaker=committed_sessionmaker, redis=Redis.from_url(REDIS_URL))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


@pytest.fixture
async def committed_rows(committed_sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[dict[str, Any]]:
    suffix = uuid.uuid4().hex[:8]
    async with committed_sessionmaker() as session:
        users = [User(email=f"racer-{suffix}-{i}@example.org", name=f"Racer {i}", role=Role.STAFF, password_hash="x")
                 for i in range(5)]
        resource = Resource(name=f"Race room {suffix}", kind=ResourceKind.ROOM)
        session.add_all([*users, resource])
        await session.commit()
    try:
        yield {"users": users, "resource": resource}
    finally:
        async with committed_sessionmaker() as session:
            booking_ids = list(await session.scalars(select(Booking.id).where(Booking.resource_id == resource.id)))
            for model in (ChangeLog, AuditLog):
                await session.execute(delete(model).where(model.entity_type == "Booking", model.entity_id.in_(booking_ids)))
            await session.execute(delete(Booking).where(Booking.resource_id == resource.id))
            await session.execute(delete(Resource).where(Resource.id == resource.id))
            await session.execute(delete(User).where(User.id.in_([u.id for u in users])))
            await session.commit()


async def test_fifty_overlapping_requests_book_exactly_once(
    committed_client: httpx.AsyncClient, committed_rows: dict[str, Any],
    committed_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    resource, users = committed_rows["resource"], committed_rows["users"]

    async def book(i: int) -> dict[str, Any]:
        start = at(3, 9) + timedelta(minutes=i)  # every pair of the 50 one-hour slots overlaps
        variables = {"input": {"resourceId": gid("Resource", resource.id), "startsAt": start.isoformat(),
                               "endsAt": (start + timedelta(hours=1)).isoformat()}}
        response = await committed_client.post(
            "/graphql", json={"query": CREATE_BOOKING, "variables": variables},
            headers={"Authorization": f"Bearer {token_for(users[i % len(users)])}"},
        )
        assert response.status_code == 200, response.text
        return response.json()["data"]["createBooking"]  # type: ignore[no-any-return]

    payloads = await asyncio.gather(*(book(i) for i in range(RACERS)))

    async with committed_sessionmaker() as session:
        stored = list(await session.scalars(select(Booking).where(Booking.resource_id == resource.id)))
    assert len(stored) == 1
    winner_id = gid("Booking", stored[0].id)
    winners = [p for p in payloads if p["booking"] is not None]
    losers = [p for p in payloads if p["booking"] is None]
    assert [w["booking"]["id"] for w in winners] == [winner_id] and winners[0]["errors"] == []
    assert Counter(e["code"] for p in losers for e in p["errors"]) == {"CONFLICT": RACERS - 1}
    assert all(len(p["errors"]) == 1 and winner_id in p["errors"][0]["message"] for p in losers)
    assert {p["errors"][0]["field"] for p in losers} == {"input.startsAt"}
    print(f"\nrace: {len(winners)} booking, {len(losers)} CONFLICT errors naming {winner_id}")
