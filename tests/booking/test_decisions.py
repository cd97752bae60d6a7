"""decideBooking and cancelBooking: who may, which transitions, freed slots, the notification job."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import BookingStatus, ChangeOp, Role
from db.models import ChangeLog
from tests.booking.factories import add_booking, add_resource, at, bookings_of, gid, iso
from tests.conftest import GraphQL, UserFactory

DECIDE = """
mutation Decide($input: DecideBookingInput!) {
  decideBooking(input: $input) {
    booking { id status decisionNote decidedBy { name } requestedBy { name } resource { name } }
    errors { code field message }
  }
}
"""
CANCEL = """
mutation Cancel($input: CancelBookingInput!) {
  cancelBooking(input: $input) { booking { id status } errors { code field message } }
}
"""
CREATE_BOOKING = """
mutation Book($input: CreateBookingInput!) {
  createBooking(input: $input) { booking { id status } errors { code field } }
}
"""


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[Any, ...]]]:
    calls: list[tuple[str, tuple[Any, ...]]] = []

    async def record(ctx: Any, job_name: str, *args: Any, job_id: str | None = None) -> None:
        calls.append((job_name, args))

    monkeypatch.setattr("resolvers.booking_decision.enqueue", record)
    return calls


async def test_manager_approves_a_pending_booking_and_the_requester_is_notified(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession, enqueued: list[tuple[str, tuple[Any, ...]]]
) -> None:
    manager = await make_user(Role.MANAGER, name="Mia Manager")
    requester = await make_user(Role.STAFF, name="Sam Staff")
    van = await add_resource(session, name="Van 1", requires_approval=True)
    booking = await add_booking(session, van, at(3, 9), at(3, 12), status=BookingStatus.PENDING, requester=requester)

    body = await gql(DECIDE, {"input": {"id": gid("Booking", booking.id), "decision": "APPROVE", "note": "ok"}},
                     user=manager)

    assert body["data"]["decideBooking"] == {
        "booking": {"id": gid("Booking", booking.id), "status": "APPROVED", "decisionNote": "ok",
                    "decidedBy": {"name": "Mia Manager"}, "requestedBy": {"name": "Sam Staff"},
                    "resource": {"name": "Van 1"}},
        "errors": [],
    }
    assert enqueued == [("notify_booking_decision", (booking.id,))]
    change = await session.scalar(
        select(ChangeLog).where(ChangeLog.entity_type == "Booking", ChangeLog.entity_id == booking.id)
    )
    assert change is not None and change.op == ChangeOp.UPDATED
    assert change.payload["status"] == "APPROVED" and change.payload["owner_id"] == requester.id
    assert change.payload["old_start"] == change.payload["start"] == iso(at(3, 9))


async def test_rejecting_frees_the_slot_and_deciding_twice_is_an_invalid_transition(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession, enqueued: list[tuple[str, tuple[Any, ...]]]
) -> None:
    admin = await make_user(Role.ADMIN)
    van = await add_resource(session, requires_approval=True)
    booking = await add_booking(session, van, at(3, 9), at(3, 12), status=BookingStatus.PENDING)
    booking_id = gid("Booking", booking.id)

    rejected = await gql(DECIDE, {"input": {"id": booking_id, "decision": "REJECT"}}, user=admin)
    again = await gql(DECIDE, {"input": {"id": booking_id, "decision": "APPROVE"}}, user=admin)
    rebooked = await gql(CREATE_BOOKING, {"input": {"resourceId": gid("Resource", van.id), "startsAt": iso(at(3, 10)),
                                                    "endsAt": iso(at(3, 11))}}, user=await make_user())

    assert rejected["data"]["decideBooking"]["booking"]["status"] == "REJECTED"
    assert again["data"]["decideBooking"] == {"booking": None, "errors": [{
        "code": "INVALID_TRANSITION", "field": "input.id",
        "message": "Only PENDING bookings can be decided; this one is REJECTED.",
    }]}
    assert rebooked["data"]["createBooking"]["errors"] == []
    assert rebooked["data"]["createBooking"]["booking"]["status"] == "PENDING"
    assert enqueued == [("notify_booking_decision", (booking.id,))]


async def test_staff_cannot_decide(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession, enqueued: list[tuple[str, tuple[Any, ...]]]
) -> None:
    van = await add_resource(session, requires_approval=True)
    booking = await add_booking(session, van, at(3, 9), at(3, 12), status=BookingStatus.PENDING)

    body = await gql(DECIDE, {"input": {"id": gid("Booking", booking.id), "decision": "APPROVE"}},
                     user=await make_user(Role.STAFF))

    assert body["data"]["decideBooking"] == {"booking": None, "errors": [
        {"code": "PERMISSION_DENIED", "field": None, "message": "Only MANAGER, ADMIN may do this."}
    ]}
    assert [b.status for b in await bookings_of(session, van)] == [BookingStatus.PENDING]
    assert enqueued == []


async def test_decide_rejects_wrong_type_and_unknown_ids(gql: GraphQL, make_user: UserFactory) -> None:
    manager = await make_user(Role.MANAGER)

    wrong_type = await gql(DECIDE, {"input": {"id": gid("Resource", 1), "decision": "APPROVE"}}, user=manager)
    unknown = await gql(DECIDE, {"input": {"id": gid("Booking", 999_999_999), "decision": "APPROVE"}}, user=manager)

    assert [(e["code"], e["field"]) for e in wrong_type["data"]["decideBooking"]["errors"]] == [("VALIDATION", "input.id")]
    assert [(e["code"], e["field"]) for e in unknown["data"]["decideBooking"]["errors"]] == [("NOT_FOUND", "input.id")]


async def test_requester_cancels_and_the_slot_is_free_again(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    requester = await make_user(Role.STAFF)
    room = await add_resource(session)
    booking = await add_booking(session, room, at(3, 9), at(3, 10), requester=requester)
    slot = {"resourceId": gid("Resource", room.id), "startsAt": iso(at(3, 9)), "endsAt": iso(at(3, 10))}

    blocked = await gql(CREATE_BOOKING, {"input": slot}, user=requester)
    cancelled = await gql(CANCEL, {"input": {"id": gid("Booking", booking.id)}}, user=requester)
    again = await gql(CANCEL, {"input": {"id": gid("Booking", booking.id)}}, user=requester)
    rebooked = await gql(CREATE_BOOKING, {"input": slot}, user=requester)

    assert [e["code"] for e in blocked["data"]["createBooking"]["errors"]] == ["CONFLICT"]
    assert cancelled["data"]["cancelBooking"] == {
        "booking": {"id": gid("Booking", booking.id), "status": "CANCELLED"}, "errors": []
    }
    assert [e["code"] for e in again["data"]["cancelBooking"]["errors"]] == ["INVALID_TRANSITION"]
    assert rebooked["data"]["createBooking"]["booking"]["status"] == "APPROVED"
    assert [b.status for b in await bookings_of(session, room)] == [BookingStatus.CANCELLED, BookingStatus.APPROVED]


async def test_only_the_requester_or_a_manager_may_cancel(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    requester = await make_user(Role.STAFF)
    room = await add_resource(session)
    booking = await add_booking(session, room, at(3, 9), at(3, 10), requester=requester)
    variables = {"input": {"id": gid("Booking", booking.id)}}

    by_colleague = await gql(CANCEL, variables, user=await make_user(Role.STAFF))
    by_viewer = await gql(CANCEL, variables, user=await make_user(Role.VIEWER))
    by_manager = await gql(CANCEL, variables, user=await make_user(Role.MANAGER))

    assert [e["code"] for e in by_colleague["data"]["cancelBooking"]["errors"]] == ["PERMISSION_DENIED"]
    assert [e["code"] for e in by_viewer["data"]["cancelBooking"]["errors"]] == ["PERMISSION_DENIED"]
    assert by_manager["data"]["cancelBooking"]["booking"]["status"] == "CANCELLED"
