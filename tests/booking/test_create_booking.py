"""createBooking: statuses, conflicts via the exclusion constraint, buffers, dry runs, validation."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import BookingStatus, ChangeOp, Role
from db.models import AuditLog, ChangeLog
from tests.booking.factories import add_booking, add_resource, at, bookings_of, count_of, gid, iso
from tests.conftest import GraphQL, UserFactory

CREATE_BOOKING = """
mutation Book($input: CreateBookingInput!) {
  createBooking(input: $input) {
    booking { status startsAt endsAt blockedFrom blockedUntil resource { name } requestedBy { name } }
    bookings { id }
    slots { startsAt endsAt blockedFrom blockedUntil recurrenceId }
    conflicts { bookingId startsAt endsAt status booking { id } slot { startsAt } }
    dryRun
    errors { code field message }
  }
}
"""


def slot_input(resource_id: int, start: Any, end: Any, **extra: Any) -> dict[str, Any]:
    return {"input": {"resourceId": gid("Resource", resource_id), "startsAt": iso(start) if hasattr(start, "isoformat") else start,
                      "endsAt": iso(end) if hasattr(end, "isoformat") else end, **extra}}


async def test_booking_a_room_without_approval_is_approved_and_logged(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    staff = await make_user(Role.STAFF, name="Sam Staff")
    room = await add_resource(session, name="Room A")

    body = await gql(CREATE_BOOKING, slot_input(room.id, at(3, 9), at(3, 10), purpose="Planning"), user=staff)

    payload = body["data"]["createBooking"]
    [row] = await bookings_of(session, room)
    assert payload == {
        "booking": {"status": "APPROVED", "startsAt": "2031-03-03T09:00:00+00:00", "endsAt": "2031-03-03T10:00:00+00:00",
                    "blockedFrom": "2031-03-03T09:00:00+00:00", "blockedUntil": "2031-03-03T10:00:00+00:00",
                    "resource": {"name": "Room A"}, "requestedBy": {"name": "Sam Staff"}},
        "bookings": [{"id": gid("Booking", row.id)}],
        "slots": [{"startsAt": "2031-03-03T09:00:00+00:00", "endsAt": "2031-03-03T10:00:00+00:00",
                   "blockedFrom": "2031-03-03T09:00:00+00:00", "blockedUntil": "2031-03-03T10:00:00+00:00",
                   "recurrenceId": None}],
        "conflicts": [], "dryRun": False, "errors": [],
    }
    assert (row.status, row.purpose, row.requested_by_id) == (BookingStatus.APPROVED, "Planning", staff.id)
    [change] = (await session.scalars(
        select(ChangeLog).where(ChangeLog.entity_type == "Booking", ChangeLog.entity_id == row.id)
    )).all()
    assert change.op == ChangeOp.CREATED
    assert change.payload == {
        "module": "RESOURCES", "resource_id": room.id, "start": "2031-03-03T09:00:00+00:00",
        "end": "2031-03-03T10:00:00+00:00", "status": "APPROVED", "owner_id": staff.id, "event_id": None, "task_id": None,
    }
    assert await count_of(session, AuditLog, entity_type="Booking", entity_id=row.id, action="create") == 1


async def test_resource_requiring_approval_books_pending(gql: GraphQL, make_user: UserFactory, session: AsyncSession) -> None:
    van = await add_resource(session, requires_approval=True)

    body = await gql(CREATE_BOOKING, slot_input(van.id, at(3, 9), at(3, 17)), user=await make_user())

    assert body["data"]["createBooking"]["booking"]["status"] == "PENDING"
    assert body["data"]["createBooking"]["errors"] == []


async def test_overlap_is_a_conflict_naming_the_colliding_booking(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    room = await add_resource(session, name="Room B")
    existing = await add_booking(session, room, at(3, 9), at(3, 11))

    body = await gql(CREATE_BOOKING, slot_input(room.id, at(3, 10), at(3, 12)), user=await make_user())

    payload = body["data"]["createBooking"]
    existing_id = gid("Booking", existing.id)
    assert payload["booking"] is None and payload["bookings"] == []
    assert payload["errors"] == [{
        "code": "CONFLICT", "field": "input.startsAt",
        "message": f"The slot collides with booking {existing_id} (APPROVED, 2031-03-03T09:00:00+00:00 to "
                   "2031-03-03T11:00:00+00:00) of Room B, buffers included.",
    }]
    assert payload["conflicts"] == [{
        "bookingId": existing_id, "startsAt": "2031-03-03T09:00:00+00:00", "endsAt": "2031-03-03T11:00:00+00:00",
        "status": "APPROVED", "booking": {"id": existing_id}, "slot": {"startsAt": "2031-03-03T10:00:00+00:00"},
    }]
    assert [b.id for b in await bookings_of(session, room)] == [existing.id]


async def test_adjacent_bookings_are_allowed(gql: GraphQL, make_user: UserFactory, session: AsyncSession) -> None:
    room = await add_resource(session)
    await add_booking(session, room, at(3, 9), at(3, 10))
    user = await make_user()

    before = await gql(CREATE_BOOKING, slot_input(room.id, at(3, 8), at(3, 9)), user=user)
    after = await gql(CREATE_BOOKING, slot_input(room.id, at(3, 10), at(3, 11)), user=user)

    assert before["data"]["createBooking"]["errors"] == after["data"]["createBooking"]["errors"] == []
    assert len(await bookings_of(session, room)) == 3


async def test_buffers_widen_the_blocked_range_and_are_enforced(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    van = await add_resource(session, before=15, after=30)
    user = await make_user()
    first = await gql(CREATE_BOOKING, slot_input(van.id, at(3, 10), at(3, 11)), user=user)

    inside_after_buffer = await gql(CREATE_BOOKING, slot_input(van.id, at(3, 11), at(3, 12)), user=user)
    buffers_touching = await gql(CREATE_BOOKING, slot_input(van.id, at(3, 11, 45), at(3, 12, 45)), user=user)
    before_with_buffer = await gql(CREATE_BOOKING, slot_input(van.id, at(3, 9), at(3, 9, 40)), user=user)

    assert first["data"]["createBooking"]["booking"]["blockedFrom"] == "2031-03-03T09:45:00+00:00"
    assert first["data"]["createBooking"]["booking"]["blockedUntil"] == "2031-03-03T11:30:00+00:00"
    assert [e["code"] for e in inside_after_buffer["data"]["createBooking"]["errors"]] == ["CONFLICT"]
    assert buffers_touching["data"]["createBooking"]["errors"] == []  # [11:30, 13:15) starts where [09:45, 11:30) ends
    assert [e["code"] for e in before_with_buffer["data"]["createBooking"]["errors"]] == ["CONFLICT"]  # ends 10:10
    assert len(await bookings_of(session, van)) == 2


async def test_dry_run_books_nothing_and_lists_conflicts(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    room = await add_resource(session, name="Room C")
    a = await add_booking(session, room, at(3, 9), at(3, 10))
    b = await add_booking(session, room, at(3, 11), at(3, 12), status=BookingStatus.PENDING)
    await add_booking(session, room, at(3, 10), at(3, 11), status=BookingStatus.CANCELLED)
    user = await make_user()

    clash = await gql(CREATE_BOOKING, slot_input(room.id, at(3, 9, 30), at(3, 11, 30), dryRun=True), user=user)
    free = await gql(CREATE_BOOKING, slot_input(room.id, at(3, 13), at(3, 14), dryRun=True), user=user)

    payload = clash["data"]["createBooking"]
    assert payload["dryRun"] is True and payload["booking"] is None
    assert [c["bookingId"] for c in payload["conflicts"]] == [gid("Booking", a.id), gid("Booking", b.id)]
    assert [e["code"] for e in payload["errors"]] == ["CONFLICT", "CONFLICT"]
    assert free["data"]["createBooking"] == {
        "booking": None, "bookings": [], "conflicts": [], "dryRun": True, "errors": [],
        "slots": [{"startsAt": "2031-03-03T13:00:00+00:00", "endsAt": "2031-03-03T14:00:00+00:00",
                   "blockedFrom": "2031-03-03T13:00:00+00:00", "blockedUntil": "2031-03-03T14:00:00+00:00",
                   "recurrenceId": None}],
    }
    assert len(await bookings_of(session, room)) == 3


async def test_viewer_cannot_book(gql: GraphQL, make_user: UserFactory, session: AsyncSession) -> None:
    room = await add_resource(session)

    body = await gql(CREATE_BOOKING, slot_input(room.id, at(3, 9), at(3, 10)), user=await make_user(Role.VIEWER))

    assert body["data"]["createBooking"]["errors"] == [
        {"code": "PERMISSION_DENIED", "field": None, "message": "Viewers have read-only access."}
    ]
    assert await bookings_of(session, room) == []


async def test_invalid_inputs_are_validation_errors(gql: GraphQL, make_user: UserFactory, session: AsyncSession) -> None:
    room = await add_resource(session)
    inactive = await add_resource(session, active=False)
    user = await make_user()
    cases: list[tuple[dict[str, Any], tuple[str, str]]] = [
        (slot_input(room.id, at(3, 10), at(3, 10)), ("VALIDATION", "input.endsAt")),
        (slot_input(room.id, at(3, 11), at(3, 10)), ("VALIDATION", "input.endsAt")),
        (slot_input(room.id, "2031-03-03T09:00:00", "2031-03-03T10:00:00"), ("VALIDATION", "input.startsAt")),
        (slot_input(room.id, at(3, 9), None), ("VALIDATION", "input.endsAt")),
        (slot_input(room.id, at(3, 9), at(3, 10), purpose="x" * 501), ("VALIDATION", "input.purpose")),
        ({"input": {**slot_input(room.id, at(3, 9), at(3, 10))["input"], "resourceId": gid("User", user.id)}},
         ("VALIDATION", "input.resourceId")),
        ({"input": {**slot_input(room.id, at(3, 9), at(3, 10))["input"], "resourceId": "not-an-id"}},
         ("VALIDATION", "input.resourceId")),
        ({"input": {**slot_input(room.id, at(3, 9), at(3, 10))["input"], "resourceId": gid("Resource", 999_999_999)}},
         ("NOT_FOUND", "input.resourceId")),
        (slot_input(inactive.id, at(3, 9), at(3, 10)), ("VALIDATION", "input.resourceId")),
        (slot_input(room.id, at(3, 9), at(3, 10), eventId=gid("Event", 1), taskId=gid("Task", 1)),
         ("VALIDATION", "input.taskId")),
        (slot_input(room.id, at(3, 9), at(3, 10), allOccurrences=True), ("VALIDATION", "input.allOccurrences")),
        (slot_input(room.id, "2031-03-01T00:00:00Z", "2033-03-01T00:00:00Z"), ("VALIDATION", "input.endsAt")),
    ]

    for variables, expected in cases:
        body = await gql(CREATE_BOOKING, variables, user=user)
        errors = body["data"]["createBooking"]["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [expected], (variables, errors)

    assert await bookings_of(session, room) == []
