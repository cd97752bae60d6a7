"""Write rules for events (db/policies/event.py, docs/permissions.md), through the API.

Who may change or delete an event and record attendance: its owner; MANAGER and ADMIN
too unless it is PRIVATE. Who may respond: the invited, the owner, or any reader of an
event marked openToAll. An event the caller may not read answers exactly as a missing one.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role, Visibility
from db.models import Event
from schema.core.ids import to_global_id
from tests.calendar import factories as make
from tests.conftest import GraphQL, UserFactory

START = datetime(2026, 5, 4, 9, tzinfo=UTC)
UPDATE = """mutation ($id: ID!) { updateEvent(input: {id: $id, title: "Renamed"}) {
  event { title } errors { code field message } } }"""
DELETE = """mutation ($id: ID!) { deleteEvent(input: {id: $id}) { deletedEventId errors { code field message } } }"""
RESPOND = """mutation ($id: ID!) { respondToEvent(input: {eventId: $id, rsvp: ACCEPTED}) {
  participant { rsvp } errors { code field message } } }"""
ATTEND = """mutation ($id: ID!, $user: ID!) { recordAttendance(input: {eventId: $id,
  attendance: [{userId: $user, attended: true}]}) { participants { attended } errors { code field message } } }"""
CREATE_OPEN = """mutation { createEvent(input: {title: "Open day", start: "2026-05-04T09:00:00Z",
  end: "2026-05-04T10:00:00Z", openToAll: true}) { event { id openToAll } errors { code } } }"""


def gid(event: Event) -> str:
    return to_global_id("Event", event.id)


def errors(body: dict[str, Any], field: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = body["data"][field]["errors"]
    return result


async def test_private_event_is_changed_by_its_owner_only(gql: GraphQL, make_user: UserFactory,
                                                          session: AsyncSession) -> None:
    owner, manager, admin = await make_user(), await make_user(Role.MANAGER), await make_user(Role.ADMIN)
    event = await make.event(session, START, visibility=Visibility.PRIVATE, owner_id=owner.id,
                             participants=(manager.id, admin.id))

    by_manager = await gql(UPDATE, {"id": gid(event)}, user=manager)
    by_admin = await gql(DELETE, {"id": gid(event)}, user=admin)
    attendance = await gql(ATTEND, {"id": gid(event), "user": to_global_id("User", manager.id)}, user=manager)
    by_owner = await gql(UPDATE, {"id": gid(event)}, user=owner)

    denied = {"code": "PERMISSION_DENIED", "field": None, "message": "Only the owner may change a private event."}
    assert errors(by_manager, "updateEvent") == [denied]
    assert errors(by_admin, "deleteEvent") == [denied]
    assert errors(attendance, "recordAttendance") == [denied]
    assert by_owner["data"]["updateEvent"] == {"event": {"title": "Renamed"}, "errors": []}


async def test_managers_change_events_that_are_not_private(gql: GraphQL, make_user: UserFactory,
                                                           session: AsyncSession) -> None:
    owner, manager, staff = await make_user(), await make_user(Role.MANAGER), await make_user()
    event = await make.event(session, START, owner_id=owner.id)

    by_staff = await gql(UPDATE, {"id": gid(event)}, user=staff)
    by_manager = await gql(UPDATE, {"id": gid(event)}, user=manager)

    assert errors(by_staff, "updateEvent")[0]["code"] == "PERMISSION_DENIED"
    assert by_manager["data"]["updateEvent"] == {"event": {"title": "Renamed"}, "errors": []}


async def test_an_unreadable_event_answers_as_a_missing_one(gql: GraphQL, make_user: UserFactory,
                                                            session: AsyncSession) -> None:
    owner, admin = await make_user(), await make_user(Role.ADMIN)
    hidden = await make.event(session, START, visibility=Visibility.PRIVATE, owner_id=owner.id)
    missing = to_global_id("Event", hidden.id + 10_000)

    for mutation, field in ((UPDATE, "updateEvent"), (DELETE, "deleteEvent"), (RESPOND, "respondToEvent")):
        on_hidden = await gql(mutation, {"id": gid(hidden)}, user=admin)
        on_missing = await gql(mutation, {"id": missing}, user=admin)
        assert errors(on_hidden, field) == errors(on_missing, field)
        assert errors(on_hidden, field)[0]["code"] == "NOT_FOUND"


async def test_only_the_invited_respond_unless_the_event_is_open(gql: GraphQL, make_user: UserFactory,
                                                                 session: AsyncSession) -> None:
    owner, guest, outsider = await make_user(), await make_user(), await make_user()
    closed = await make.event(session, START, owner_id=owner.id, participants=(guest.id,))
    opened = (await gql(CREATE_OPEN, user=owner))["data"]["createEvent"]["event"]

    as_guest = await gql(RESPOND, {"id": gid(closed)}, user=guest)
    as_outsider = await gql(RESPOND, {"id": gid(closed)}, user=outsider)
    to_open = await gql(RESPOND, {"id": opened["id"]}, user=outsider)

    assert opened["openToAll"] is True
    assert as_guest["data"]["respondToEvent"] == {"participant": {"rsvp": "ACCEPTED"}, "errors": []}
    assert errors(as_outsider, "respondToEvent") == [{
        "code": "PERMISSION_DENIED", "field": "input.eventId", "message": "Only invited users may respond to this event."}]
    assert to_open["data"]["respondToEvent"] == {"participant": {"rsvp": "ACCEPTED"}, "errors": []}
