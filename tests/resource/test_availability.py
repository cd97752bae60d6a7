"""resourceAvailability: merged busy blocks, bookable free time, read rules, window limits."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import BookingStatus, Role, Visibility
from tests.booking.factories import add_booking, add_event, add_resource, at, gid, iso
from tests.conftest import GraphQL, UserFactory

AVAILABILITY = """
query Availability($ids: [ID!]!, $start: DateTime!, $end: DateTime!, $slot: Int) {
  resourceAvailability(resourceIds: $ids, start: $start, end: $end, slotMinutes: $slot) {
    resource { name }
    busy { start end bookingIds }
    free { start end }
  }
}
"""


def span(start: str, end: str) -> dict[str, str]:
    return {"start": f"2031-03-03T{start}:00+00:00", "end": f"2031-03-03T{end}:00+00:00"}


async def test_free_and_busy_on_a_known_day(gql: GraphQL, make_user: UserFactory, session: AsyncSession) -> None:
    viewer = await make_user(Role.STAFF)
    owner = await make_user(Role.STAFF)
    room = await add_resource(session, name="Room A")
    van = await add_resource(session, name="Van 1", before=15, after=30)
    secret = await add_event(session, owner, at(3, 10), at(3, 11), visibility=Visibility.PRIVATE)
    a = await add_booking(session, room, at(3, 9), at(3, 10), requester=viewer)
    await add_booking(session, room, at(3, 10), at(3, 11), requester=owner, event=secret)  # hidden from viewer
    await add_booking(session, room, at(3, 13), at(3, 14), status=BookingStatus.CANCELLED)
    c = await add_booking(session, room, at(3, 15), at(3, 17), status=BookingStatus.PENDING)
    await add_booking(session, room, at(3, 19), at(3, 20))  # after the window
    d = await add_booking(session, van, at(3, 12), at(3, 13))
    variables = {"ids": [gid("Resource", room.id), gid("Resource", van.id)],
                 "start": iso(at(3, 8)), "end": iso(at(3, 18))}

    body = await gql(AVAILABILITY, variables, user=viewer)
    with_slot = await gql(AVAILABILITY, {**variables, "slot": 90}, user=viewer)

    assert body["data"] == {"resourceAvailability": [
        {"resource": {"name": "Room A"},
         "busy": [{**span("09:00", "11:00"), "bookingIds": [gid("Booking", a.id)]},
                  {**span("15:00", "17:00"), "bookingIds": [gid("Booking", c.id)]}],
         "free": [span("08:00", "09:00"), span("11:00", "15:00"), span("17:00", "18:00")]},
        {"resource": {"name": "Van 1"},
         "busy": [{**span("11:45", "13:30"), "bookingIds": [gid("Booking", d.id)]}],
         "free": [span("08:00", "11:15"), span("13:45", "18:00")]},
    ]}
    assert [r["free"] for r in with_slot["data"]["resourceAvailability"]] == [
        [span("11:00", "15:00")], [span("08:00", "11:15"), span("13:45", "18:00")]
    ]


async def test_owner_of_the_private_event_sees_its_booking_id(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    owner = await make_user(Role.STAFF)
    room = await add_resource(session)
    secret = await add_event(session, owner, at(3, 10), at(3, 11), visibility=Visibility.PRIVATE)
    booking = await add_booking(session, room, at(3, 10), at(3, 11), event=secret)

    body = await gql(AVAILABILITY, {"ids": [gid("Resource", room.id)], "start": iso(at(3, 8)), "end": iso(at(3, 18))},
                     user=owner)

    assert body["data"]["resourceAvailability"][0]["busy"] == [
        {**span("10:00", "11:00"), "bookingIds": [gid("Booking", booking.id)]}
    ]


async def test_window_and_id_errors(gql: GraphQL, make_user: UserFactory, session: AsyncSession) -> None:
    viewer = await make_user(Role.VIEWER)
    room = await add_resource(session)
    ids = [gid("Resource", room.id)]
    cases = [
        ({"ids": ids, "start": "2031-01-01T00:00:00Z", "end": "2032-02-06T00:00:00Z"}, "VALIDATION"),  # 401 days
        ({"ids": ids, "start": iso(at(3, 10)), "end": iso(at(3, 10))}, "VALIDATION"),
        ({"ids": ids, "start": "2031-03-03T08:00:00", "end": "2031-03-03T10:00:00"}, "VALIDATION"),
        ({"ids": [gid("User", viewer.id)], "start": iso(at(3, 8)), "end": iso(at(3, 9))}, "VALIDATION"),
        ({"ids": [gid("Resource", 999_999_999)], "start": iso(at(3, 8)), "end": iso(at(3, 9))}, "NOT_FOUND"),
        ({"ids": ids, "start": iso(at(3, 8)), "end": iso(at(3, 9)), "slot": 0}, "VALIDATION"),
    ]

    for variables, code in cases:
        body = await gql(AVAILABILITY, variables, user=viewer)
        assert body["data"] is None, variables
        assert [e["extensions"]["code"] for e in body["errors"]] == [code], (variables, body["errors"])

    ok = await gql(AVAILABILITY, {"ids": ids, "start": "2031-01-01T00:00:00Z", "end": "2032-02-05T00:00:00Z"}, user=viewer)
    assert ok["data"]["resourceAvailability"][0]["free"] == [
        {"start": "2031-01-01T00:00:00+00:00", "end": "2032-02-05T00:00:00+00:00"}
    ]
