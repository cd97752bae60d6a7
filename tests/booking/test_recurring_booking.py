"""Booking every occurrence of a recurring event: all in one transaction, or none."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role, Visibility
from tests.booking.factories import add_booking, add_event, add_resource, at, bookings_of, gid, iso
from tests.conftest import GraphQL, UserFactory

CREATE_BOOKING = """
mutation Book($input: CreateBookingInput!) {
  createBooking(input: $input) {
    bookings { startsAt endsAt eventRecurrenceId event { title } }
    conflicts { bookingId slot { startsAt recurrenceId } }
    slots { startsAt }
    errors { code field message }
  }
}
"""
WEEKLY_BERLIN = "FREQ=WEEKLY;COUNT=5"  # 09:00 Europe/Berlin on Mar 3..31 2031; DST starts Mar 30


def utc(day: int, hour: int) -> str:
    return datetime(2031, 3, day, hour, tzinfo=UTC).isoformat()


async def weekly_event(session: AsyncSession, owner: object) -> object:
    return await add_event(session, owner, at(3, 8), at(3, 9), rrule=WEEKLY_BERLIN, timezone="Europe/Berlin")  # type: ignore[arg-type]


async def test_all_occurrences_are_booked_at_local_wall_time(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    user = await make_user()
    room = await add_resource(session)
    event = await weekly_event(session, user)

    body = await gql(CREATE_BOOKING, {"input": {"resourceId": gid("Resource", room.id), "eventId": gid("Event", event.id),
                                                "allOccurrences": True}}, user=user)

    payload = body["data"]["createBooking"]
    assert payload["errors"] == [] and payload["conflicts"] == []
    assert payload["bookings"] == [
        {"startsAt": utc(d, h), "endsAt": utc(d, h + 1), "eventRecurrenceId": utc(d, h),
         "event": {"title": "Weekly coordination"}}
        for d, h in [(3, 8), (10, 8), (17, 8), (24, 8), (31, 7)]  # 09:00 CET, then 09:00 CEST
    ]
    assert [(b.starts_at.isoformat(), b.event_id) for b in await bookings_of(session, room)] == [
        (utc(d, h), event.id) for d, h in [(3, 8), (10, 8), (17, 8), (24, 8), (31, 7)]
    ]


async def test_one_colliding_occurrence_books_none_and_names_the_collision(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    user = await make_user()
    room = await add_resource(session)
    event = await weekly_event(session, user)
    blocker = await add_booking(session, room, at(17, 8, 30), at(17, 9, 30))
    variables = {"input": {"resourceId": gid("Resource", room.id), "eventId": gid("Event", event.id),
                           "allOccurrences": True}}

    dry = await gql(CREATE_BOOKING, {"input": {**variables["input"], "dryRun": True}}, user=user)
    real = await gql(CREATE_BOOKING, variables, user=user)

    for body in (dry, real):
        payload = body["data"]["createBooking"]
        assert payload["bookings"] == []
        assert payload["conflicts"] == [
            {"bookingId": gid("Booking", blocker.id), "slot": {"startsAt": utc(17, 8), "recurrenceId": utc(17, 8)}}
        ]
        assert payload["errors"] == [{
            "code": "CONFLICT", "field": "input.allOccurrences",
            "message": f"The occurrence at {utc(17, 8)} collides with booking {gid('Booking', blocker.id)} (APPROVED, "
                       f"{iso(at(17, 8, 30))} to {iso(at(17, 9, 30))}) of {room.name}, buffers included.",
        }]
        assert len(payload["slots"]) == 5
    assert [b.id for b in await bookings_of(session, room)] == [blocker.id]


async def test_one_occurrence_by_recurrence_id(gql: GraphQL, make_user: UserFactory, session: AsyncSession) -> None:
    user = await make_user()
    room = await add_resource(session)
    event = await weekly_event(session, user)
    base = {"resourceId": gid("Resource", room.id), "eventId": gid("Event", event.id)}

    one = await gql(CREATE_BOOKING, {"input": {**base, "occurrence": "2031-03-31T09:00:00+02:00"}}, user=user)
    missing = await gql(CREATE_BOOKING, {"input": {**base, "occurrence": utc(31, 8)}}, user=user)
    unspecified = await gql(CREATE_BOOKING, {"input": base}, user=user)

    assert one["data"]["createBooking"]["bookings"] == [
        {"startsAt": utc(31, 7), "endsAt": utc(31, 8), "eventRecurrenceId": utc(31, 7),
         "event": {"title": "Weekly coordination"}}
    ]
    assert [(e["code"], e["field"]) for e in missing["data"]["createBooking"]["errors"]] == [
        ("NOT_FOUND", "input.occurrence")
    ]
    assert [(e["code"], e["field"]) for e in unspecified["data"]["createBooking"]["errors"]] == [
        ("VALIDATION", "input.occurrence")
    ]


async def test_occurrences_overlapping_each_other_through_buffers_are_refused(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    user = await make_user()
    van = await add_resource(session, after=24 * 60)
    daily = await add_event(session, user, at(3, 8), at(3, 9), rrule="FREQ=DAILY;COUNT=3")

    body = await gql(CREATE_BOOKING, {"input": {"resourceId": gid("Resource", van.id), "eventId": gid("Event", daily.id),
                                                "allOccurrences": True}}, user=user)

    assert [(e["code"], e["field"]) for e in body["data"]["createBooking"]["errors"]] == [
        ("CONFLICT", "input.allOccurrences")
    ]
    assert await bookings_of(session, van) == []


async def test_private_event_of_someone_else_is_not_found(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    owner = await make_user()
    room = await add_resource(session)
    secret = await add_event(session, owner, at(3, 8), at(3, 9), visibility=Visibility.PRIVATE)

    body = await gql(CREATE_BOOKING, {"input": {"resourceId": gid("Resource", room.id), "eventId": gid("Event", secret.id)}},
                     user=await make_user(Role.STAFF))
    mine = await gql(CREATE_BOOKING, {"input": {"resourceId": gid("Resource", room.id), "eventId": gid("Event", secret.id)}},
                     user=owner)

    assert [(e["code"], e["field"]) for e in body["data"]["createBooking"]["errors"]] == [("NOT_FOUND", "input.eventId")]
    assert mine["data"]["createBooking"]["bookings"][0]["startsAt"] == utc(3, 8)
