"""The calendar's SQL statement count does not grow with the number of entries."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert

from db.enums import BookingStatus, PpaCategory
from db.models import Booking, Event, Ppa, PpaMilestone, Task
from db.statements import counting
from tests.calendar import factories as make
from tests.conftest import GraphQL, UserFactory

QUERY = """
query Cal($start: DateTime!, $end: DateTime!) {
  calendar(start: $start, end: $end) {
    entries { id kind module title start end allDay timezone recurrenceId
              source { __typename ... on Event { title owner { name } } ... on Task { title }
                       ... on Booking { purpose } ... on Ppa { title } ... on PpaMilestone { title } } }
  }
}
"""
START = datetime(2026, 3, 1, tzinfo=UTC)
WINDOW = {"start": "2026-03-01T00:00:00Z", "end": "2026-04-01T00:00:00Z"}


async def seed(session, owner_id: int, copies: int) -> None:
    """``copies`` of each source kind in March: tasks, bookings, PPAs with milestones, daily series."""
    resource = await make.resource(session)
    minute = timedelta(minutes=1)
    await session.execute(insert(Task), [
        {"title": f"Task {i}", "due_at": START + timedelta(days=i % 30, minutes=i)} for i in range(copies)])
    await session.execute(insert(Booking), [
        {"resource_id": resource.id, "starts_at": START + i * 60 * minute, "ends_at": START + (i * 60 + 30) * minute,
         "blocked_from": START + i * 60 * minute, "blocked_until": START + (i * 60 + 30) * minute,
         "status": BookingStatus.APPROVED, "purpose": f"Trip {i}"} for i in range(copies)])
    ppa_ids = (await session.execute(insert(Ppa).returning(Ppa.id), [
        {"title": f"PPA {i}", "category": PpaCategory.PROJECT, "starts_on": date(2026, 3, 1 + i % 28),
         "ends_on": date(2026, 12, 1)} for i in range(copies)])).scalars().all()
    await session.execute(insert(PpaMilestone), [
        {"ppa_id": pk, "title": "Milestone", "due_on": date(2026, 3, 2 + i % 27)} for i, pk in enumerate(ppa_ids)])
    series = max(1, copies // 30)
    await session.execute(insert(Event), [
        {"uid": f"daily-{copies}-{i}", "title": f"Daily {i}", "starts_at": START + timedelta(hours=8, minutes=i),
         "ends_at": START + timedelta(hours=8, minutes=i + 15), "rrule": "FREQ=DAILY", "timezone": "Asia/Manila",
         "owner_id": owner_id} for i in range(series)])


async def count_statements(gql: GraphQL, user: object) -> tuple[int, int]:
    with counting() as counter:
        body = await gql(QUERY, WINDOW, user=user)
    assert "errors" not in body, body["errors"]
    return len(body["data"]["calendar"]["entries"]), counter.count


async def test_statements_do_not_grow_with_entries(gql: GraphQL, make_user: UserFactory, session) -> None:
    owner = await make_user()
    await seed(session, owner.id, 10)
    small = await count_statements(gql, owner)

    await seed(session, owner.id, 400)
    large = await count_statements(gql, owner)

    assert small[0] <= 100 and large[0] >= 2000, (small, large)
    assert small[1] == large[1], f"{small[0]} entries: {small[1]} statements; {large[0]} entries: {large[1]}"


EVENTS = """
query E($first: Int) {
  events(first: $first, filter: {start: "2026-03-01T00:00:00Z", end: "2026-04-01T00:00:00Z"}) {
    totalCount
    edges { node { title owner { name } team { name } community { name }
                   participants { rsvp user { name } } overrides { recurrenceId title } } }
  }
}
"""


async def seed_events(session, owner_id: int, guest_id: int, count: int) -> None:
    from db.models import EventOverride, EventParticipant, Team

    community = await make.community(session)
    team = await make.add(session, Team(name=make.unique("Team")))
    ids = (await session.execute(insert(Event).returning(Event.id), [
        {"uid": f"e-{count}-{i}-{owner_id}", "title": f"Event {i}", "starts_at": START + timedelta(hours=i),
         "ends_at": START + timedelta(hours=i, minutes=30), "rrule": "FREQ=DAILY;COUNT=3", "owner_id": owner_id,
         "team_id": team.id, "community_id": community.id} for i in range(count)])).scalars().all()
    await session.execute(insert(EventParticipant), [{"event_id": pk, "user_id": guest_id} for pk in ids])
    await session.execute(insert(EventOverride), [
        {"event_id": pk, "recurrence_id": START + timedelta(hours=i, days=1), "cancelled": True}
        for i, pk in enumerate(ids)])


async def test_events_connection_statements_do_not_grow(gql: GraphQL, make_user: UserFactory, session) -> None:
    owner = await make_user()
    guest = await make_user()
    await seed_events(session, owner.id, guest.id, 10)
    with counting() as small:
        first = await gql(EVENTS, {"first": 100}, user=owner)

    await seed_events(session, owner.id, guest.id, 90)
    with counting() as large:
        second = await gql(EVENTS, {"first": 100}, user=owner)

    assert len(first["data"]["events"]["edges"]) == 10 and len(second["data"]["events"]["edges"]) == 100
    assert second["data"]["events"]["edges"][0]["node"]["participants"] == [{"rsvp": "NEEDS_ACTION", "user": {"name": guest.name}}]
    assert small.count == large.count
