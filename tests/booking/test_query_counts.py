"""SQL statements per request do not grow with rows: bookings and resources with nested relations."""
from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import BookingStatus, ResourceKind, Role, Visibility
from db.models import Booking, Event, Resource, User
from db.statements import counting
from tests.booking.factories import at
from tests.conftest import GraphQL, UserFactory

BOOKINGS = """
query Bookings($ids: [ID!]) {
  bookings(first: 100, filter: {resourceIds: $ids}) {
    totalCount
    edges { node { id status resource { name kind } requestedBy { name } decidedBy { name } event { title } } }
  }
}
"""
RESOURCES = """
query Resources($search: String) {
  resources(first: 50, filter: {search: $search}) {
    totalCount
    edges { node { name bookings(first: 10, window: {start: "2031-01-01T00:00:00Z", end: "2032-01-01T00:00:00Z"}) {
      totalCount edges { node { status requestedBy { name } resource { name } } }
    } } }
  }
}
"""


class Seeder:
    """Adds resources and bookings (each with a requester, a decider and an event) in bulk."""

    def __init__(self, session: AsyncSession, prefix: str) -> None:
        self.session, self.prefix = session, prefix
        self.resources: list[Resource] = []
        self.bookings = 0

    async def add(self, resources: int, bookings: int) -> None:
        start = len(self.resources)
        new = [Resource(name=f"{self.prefix} {start + i:03d}", kind=ResourceKind.VEHICLE) for i in range(resources)]
        people = [User(email=f"{self.prefix}-{self.bookings + i}@example.org".lower(), name=f"Person {i}",
                       role=Role.STAFF, password_hash="x") for i in range(bookings)]
        self.session.add_all(new + people)
        await self.session.flush()
        self.resources += new
        events = [Event(uid=f"{uuid.uuid4()}", title=f"Event {i}", starts_at=at(3, 8), ends_at=at(3, 9),
                        visibility=Visibility.INTERNAL) for i in range(bookings)]
        self.session.add_all(events)
        await self.session.flush()
        rows = []
        for i, (person, event) in enumerate(zip(people, events, strict=True)):
            n = self.bookings + i
            slot = at(1, 0) + timedelta(hours=n)
            rows.append(Booking(
                resource_id=self.resources[n % len(self.resources)].id, starts_at=slot, ends_at=slot + timedelta(minutes=30),
                blocked_from=slot, blocked_until=slot + timedelta(minutes=30), status=BookingStatus.APPROVED,
                requested_by_id=person.id, decided_by_id=people[0].id, event_id=event.id,
            ))
        self.session.add_all(rows)
        await self.session.flush()
        self.bookings += bookings

    def ids(self) -> list[str]:
        from schema.core.ids import to_global_id

        return [to_global_id("Resource", r.id) for r in self.resources]


async def test_bookings_statement_count_is_the_same_for_10_and_500_rows(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    viewer = await make_user(Role.STAFF)
    seeder = Seeder(session, f"Bk{uuid.uuid4().hex[:6]}")
    counts: dict[int, int] = {}
    for resources, bookings in ((5, 10), (0, 490)):
        await seeder.add(resources, bookings)
        with counting() as statements:
            body = await gql(BOOKINGS, {"ids": seeder.ids()}, user=viewer)
        assert "errors" not in body, body
        counts[seeder.bookings] = statements.count

    page = body["data"]["bookings"]
    assert page["totalCount"] == 500 and len(page["edges"]) == 100
    assert all(e["node"]["event"] is not None and e["node"]["requestedBy"] for e in page["edges"])
    print(f"\nbookings statements: {counts}")
    assert counts[10] == counts[500], counts


async def test_resources_with_nested_bookings_statement_count_is_the_same_for_10_and_500_bookings(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    viewer = await make_user(Role.STAFF)
    prefix = f"Rs{uuid.uuid4().hex[:6]}"
    seeder = Seeder(session, prefix)
    counts: dict[tuple[int, int], int] = {}
    for resources, bookings in ((10, 10), (90, 490)):
        await seeder.add(resources, bookings)
        with counting() as statements:
            body = await gql(RESOURCES, {"search": prefix}, user=viewer)
        assert "errors" not in body, body
        counts[(len(seeder.resources), seeder.bookings)] = statements.count

    page = body["data"]["resources"]
    assert page["totalCount"] == 100 and len(page["edges"]) == 50  # a page of 50 resources with 5 bookings each
    assert sum(len(e["node"]["bookings"]["edges"]) for e in page["edges"]) == 250
    print(f"\nresources statements (resources, bookings) -> count: {counts}")
    assert counts[(10, 10)] == counts[(100, 500)], counts
