"""bookings, resource.bookings and node(id:): filters and the read rule for PRIVATE events."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import BookingStatus, Role, Visibility
from db.models import Task
from tests.booking.factories import add_booking, add_event, add_resource, at, gid, iso
from tests.conftest import GraphQL, UserFactory

BOOKINGS = """
query Bookings($filter: BookingFilter) {
  bookings(first: 50, filter: $filter) { totalCount edges { node { id } } }
}
"""
RESOURCE_BOOKINGS = """
query ResourceBookings($id: ID!, $window: BookingWindow, $status: [BookingStatus!]) {
  node(id: $id) { ... on Resource { name bookings(window: $window, status: $status) { totalCount edges { node { id } } } } }
}
"""
NODE = "query Node($id: ID!) { node(id: $id) { id ... on Booking { status event { title } task { title } } } }"
CREATE_BOOKING = """
mutation Book($input: CreateBookingInput!) {
  createBooking(input: $input) { booking { task { title } event { title } } errors { code field } }
}
"""


def ids(body: dict, field: str = "bookings") -> list[str]:  # type: ignore[type-arg]
    return [edge["node"]["id"] for edge in body["data"][field]["edges"]]


async def test_filters_by_resource_status_window_and_requester(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    alice, bob = await make_user(), await make_user()
    room, van = await add_resource(session), await add_resource(session)
    a = await add_booking(session, room, at(3, 9), at(3, 10), requester=alice)
    b = await add_booking(session, room, at(4, 9), at(4, 10), requester=bob, status=BookingStatus.PENDING)
    c = await add_booking(session, van, at(3, 9), at(3, 10), requester=alice, status=BookingStatus.CANCELLED)
    room_id = gid("Resource", room.id)

    by_resource = await gql(BOOKINGS, {"filter": {"resourceIds": [room_id]}}, user=alice)
    by_status = await gql(BOOKINGS, {"filter": {"resourceIds": [room_id, gid("Resource", van.id)],
                                                "status": ["PENDING", "CANCELLED"]}}, user=alice)
    by_window = await gql(BOOKINGS, {"filter": {"resourceIds": [room_id],
                                                "window": {"start": iso(at(3, 9, 30)), "end": iso(at(4, 9))}}}, user=alice)
    by_requester = await gql(BOOKINGS, {"filter": {"requesterId": gid("User", alice.id)}}, user=bob)
    nested = await gql(RESOURCE_BOOKINGS, {"id": room_id, "window": {"start": iso(at(4, 0)), "end": iso(at(5, 0))}},
                       user=alice)

    assert ids(by_resource) == [gid("Booking", a.id), gid("Booking", b.id)]
    assert ids(by_status) == [gid("Booking", c.id), gid("Booking", b.id)]
    assert ids(by_window) == [gid("Booking", a.id)]
    assert ids(by_requester) == [gid("Booking", a.id), gid("Booking", c.id)]
    assert nested["data"]["node"]["bookings"] == {"totalCount": 1, "edges": [{"node": {"id": gid("Booking", b.id)}}]}


async def test_bad_filters_are_validation_errors(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()
    for bad in ({"resourceIds": [gid("User", user.id)]}, {"window": {"start": iso(at(3, 9)), "end": iso(at(3, 8))}},
                {"window": {"start": "2031-03-03T08:00:00", "end": "2031-03-03T09:00:00"}}):
        body = await gql(BOOKINGS, {"filter": bad}, user=user)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["VALIDATION"], bad


async def test_booking_for_someone_elses_private_event_is_hidden(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    owner, colleague, manager = await make_user(), await make_user(), await make_user(Role.MANAGER)
    room = await add_resource(session)
    secret = await add_event(session, owner, at(3, 9), at(3, 10), visibility=Visibility.PRIVATE)
    booking = await add_booking(session, room, at(3, 9), at(3, 10), requester=owner, event=secret)
    booking_id = gid("Booking", booking.id)
    room_filter = {"filter": {"resourceIds": [gid("Resource", room.id)]}}

    assert ids(await gql(BOOKINGS, room_filter, user=colleague)) == []
    assert (await gql(NODE, {"id": booking_id}, user=colleague))["data"]["node"] is None
    assert ids(await gql(BOOKINGS, room_filter, user=owner)) == [booking_id]
    assert (await gql(NODE, {"id": booking_id}, user=owner))["data"]["node"] == {
        "id": booking_id, "status": "APPROVED", "event": {"title": "Weekly coordination"}, "task": None,
    }
    # managers decide bookings, so they see it, but not the PRIVATE event itself
    assert (await gql(NODE, {"id": booking_id}, user=manager))["data"]["node"] == {
        "id": booking_id, "status": "APPROVED", "event": None, "task": None,
    }


async def test_booking_for_a_task(gql: GraphQL, make_user: UserFactory, session: AsyncSession) -> None:
    user = await make_user()
    room = await add_resource(session)
    task = Task(title="Site visit")
    session.add(task)
    await session.flush()
    base = {"resourceId": gid("Resource", room.id), "startsAt": iso(at(3, 9)), "endsAt": iso(at(3, 10))}

    linked = await gql(CREATE_BOOKING, {"input": {**base, "taskId": gid("Task", task.id)}}, user=user)
    unknown = await gql(CREATE_BOOKING, {"input": {**base, "taskId": gid("Task", 999_999_999)}}, user=user)

    assert linked["data"]["createBooking"] == {"booking": {"task": {"title": "Site visit"}, "event": None}, "errors": []}
    assert unknown["data"]["createBooking"] == {"booking": None, "errors": [{"code": "NOT_FOUND", "field": "input.taskId"}]}


ORDERED_BOOKINGS = """
query Ordered($filter: BookingFilter, $order: BookingOrder) {
  bookings(first: 50, filter: $filter, orderBy: $order) { edges { node { id } } }
}
"""


async def test_order_by_start_breaks_ties_by_id_in_the_same_direction(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    alice = await make_user()
    room, van, hall = await add_resource(session), await add_resource(session), await add_resource(session)
    early = await add_booking(session, room, at(3, 9), at(3, 10), requester=alice)
    tie_a = await add_booking(session, van, at(4, 9), at(4, 10), requester=alice)
    tie_b = await add_booking(session, hall, at(4, 9), at(4, 11), requester=alice)
    only_these = {"resourceIds": [gid("Resource", r.id) for r in (room, van, hall)]}

    ascending = await gql(ORDERED_BOOKINGS, {"filter": only_these, "order": {"field": "STARTS_AT"}}, user=alice)
    descending = await gql(ORDERED_BOOKINGS, {"filter": only_these, "order": {"field": "STARTS_AT", "direction": "DESC"}},
                           user=alice)

    assert ids(ascending) == [gid("Booking", b.id) for b in (early, tie_a, tie_b)]
    assert ids(descending) == [gid("Booking", b.id) for b in (tie_b, tie_a, early)]
