"""createEvent / updateEvent / deleteEvent with each scope, RSVP and attendance."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from db.enums import ChangeOp, Role
from db.models import ChangeLog, Event, EventOverride
from schema.core.ids import decode_id, to_global_id
from tests.conftest import GraphQL, UserFactory

NY = ZoneInfo("America/New_York")

CREATE = """
mutation Create($input: CreateEventInput!) {
  createEvent(input: $input) {
    event { id title start end timezone allDay rrule seriesEndsAt reminders visibility module
            participants { rsvp user { name } } }
    errors { code field message }
  }
}
"""
UPDATE = """
mutation Update($input: UpdateEventInput!) {
  updateEvent(input: $input) {
    event { id title start end rrule seriesEndsAt parentEvent { id } }
    override { recurrenceId start end title cancelled }
    errors { code field message }
  }
}
"""
DELETE = """
mutation Delete($input: DeleteEventInput!) {
  deleteEvent(input: $input) { deletedEventId event { id rrule } errors { code field message } }
}
"""
OCCURRENCES = """
query Occ($id: ID!, $start: DateTime!, $end: DateTime!) {
  node(id: $id) { ... on Event { occurrences(start: $start, end: $end) { recurrenceId start end title } } }
}
"""
RESPOND = """
mutation R($input: RespondToEventInput!) {
  respondToEvent(input: $input) { participant { rsvp user { name } } errors { code field message } }
}
"""
ATTEND = """
mutation A($input: RecordAttendanceInput!) {
  recordAttendance(input: $input) { participants { attended user { name } } errors { code field message } }
}
"""


def weekly_ny(title: str = "Standup", **extra: object) -> dict[str, object]:
    return {
        "title": title, "start": "2026-03-02T09:00:00-05:00", "end": "2026-03-02T09:30:00-05:00",
        "timezone": "America/New_York", "rrule": "FREQ=WEEKLY;COUNT=6", **extra,
    }


async def occurrences(gql: GraphQL, user: object, event_id: str, start: str, end: str) -> list[dict[str, str]]:
    body = await gql(OCCURRENCES, {"id": event_id, "start": start, "end": end}, user=user)
    return body["data"]["node"]["occurrences"]


def local_times(items: list[dict[str, str]]) -> list[str]:
    return [datetime.fromisoformat(o["start"]).astimezone(NY).strftime("%m-%d %H:%M") for o in items]


async def test_create_recurring_event_stores_series_end_and_logs_change(gql: GraphQL, make_user: UserFactory,
                                                                         session) -> None:
    owner = await make_user(Role.STAFF, name="Olga")
    guest = await make_user(Role.STAFF, name="Gus")

    body = await gql(CREATE, {"input": weekly_ny(reminders=[30, 1440, 30], visibility="PRIVATE",
                                                 participantIds=[to_global_id("User", guest.id)])}, user=owner)

    payload = body["data"]["createEvent"]
    assert payload["errors"] == []
    event = payload["event"]
    assert event["rrule"] == "FREQ=WEEKLY;COUNT=6" and event["timezone"] == "America/New_York"
    assert event["reminders"] == [1440, 30] and event["visibility"] == "PRIVATE" and event["module"] == "COORDINATION"
    # six weekly occurrences; the last (April 6, after the DST change) ends 09:30 EDT
    assert event["seriesEndsAt"] == "2026-04-06T13:30:00+00:00"
    assert event["participants"] == [{"rsvp": "NEEDS_ACTION", "user": {"name": "Gus"}}]
    pk = decode_id(event["id"], "Event", field="id")
    change = (await session.scalars(select(ChangeLog).where(ChangeLog.entity_type == "Event",
                                                            ChangeLog.entity_id == pk))).one()
    assert change.op == ChangeOp.CREATED
    assert change.payload["reader_ids"] == sorted([owner.id, guest.id])
    assert change.payload["series_ends_at"] == "2026-04-06T13:30:00+00:00"


async def test_create_rejects_bad_rule_zone_and_order(gql: GraphQL, make_user: UserFactory) -> None:
    owner = await make_user()

    bad_rule = await gql(CREATE, {"input": weekly_ny(rrule="FREQ=SOMETIMES")}, user=owner)
    bad_zone = await gql(CREATE, {"input": weekly_ny(timezone="Mars/Olympus")}, user=owner)
    reversed_ = await gql(CREATE, {"input": weekly_ny(end="2026-03-02T08:00:00-05:00")}, user=owner)
    viewer = await gql(CREATE, {"input": weekly_ny()}, user=await make_user(Role.VIEWER))

    assert bad_rule["data"]["createEvent"]["errors"][0]["field"] == "input.rrule"
    assert bad_zone["data"]["createEvent"]["errors"] == [
        {"code": "VALIDATION", "field": "input.timezone", "message": "Unknown IANA time zone."}]
    assert reversed_["data"]["createEvent"]["errors"] == [
        {"code": "VALIDATION", "field": "input.end", "message": "Must be after the start."}]
    assert viewer["data"]["createEvent"]["errors"][0]["code"] == "PERMISSION_DENIED"


async def test_all_day_event_spans_whole_local_days(gql: GraphQL, make_user: UserFactory) -> None:
    owner = await make_user()

    body = await gql(CREATE, {"input": {"title": "Holiday", "start": "2026-07-04T10:00:00-04:00",
                                        "end": "2026-07-04T11:00:00-04:00", "allDay": True,
                                        "timezone": "America/New_York"}}, user=owner)

    event = body["data"]["createEvent"]["event"]
    assert (event["allDay"], event["start"], event["end"]) == (True, "2026-07-04T04:00:00+00:00", "2026-07-05T04:00:00+00:00")


async def test_update_this_overrides_one_occurrence(gql: GraphQL, make_user: UserFactory, session) -> None:
    owner = await make_user()
    created = (await gql(CREATE, {"input": weekly_ny()}, user=owner))["data"]["createEvent"]["event"]

    body = await gql(UPDATE, {"input": {"id": created["id"], "scope": "THIS", "occurrence": "2026-03-16T13:00:00Z",
                                        "start": "2026-03-16T11:00:00-04:00", "title": "Late standup"}}, user=owner)

    assert body["data"]["updateEvent"]["errors"] == []
    assert body["data"]["updateEvent"]["override"] == {
        "recurrenceId": "2026-03-16T13:00:00+00:00", "start": "2026-03-16T15:00:00+00:00",
        "end": "2026-03-16T15:30:00+00:00", "title": "Late standup", "cancelled": False,
    }
    found = await occurrences(gql, owner, created["id"], "2026-03-01T00:00:00Z", "2026-04-30T00:00:00Z")
    assert local_times(found) == ["03-02 09:00", "03-09 09:00", "03-16 11:00", "03-23 09:00", "03-30 09:00", "04-06 09:00"]
    assert found[2]["title"] == "Late standup" and found[3]["title"] == "Standup"


async def test_update_this_rejects_a_time_that_is_no_occurrence(gql: GraphQL, make_user: UserFactory) -> None:
    owner = await make_user()
    created = (await gql(CREATE, {"input": weekly_ny()}, user=owner))["data"]["createEvent"]["event"]

    body = await gql(UPDATE, {"input": {"id": created["id"], "scope": "THIS", "occurrence": "2026-03-17T13:00:00Z",
                                        "title": "x"}}, user=owner)
    missing = await gql(UPDATE, {"input": {"id": created["id"], "scope": "THIS", "title": "x"}}, user=owner)

    assert body["data"]["updateEvent"]["errors"] == [{
        "code": "VALIDATION", "field": "input.occurrence",
        "message": "Not an occurrence of this event (use its recurrenceId).",
    }]
    assert missing["data"]["updateEvent"]["errors"][0]["field"] == "input.occurrence"


async def test_this_and_following_split_keeps_local_time_across_dst(gql: GraphQL, make_user: UserFactory,
                                                                    session) -> None:
    """Weekly 09:00 New York, split after the March 8 DST change: every occurrence stays 09:00 local."""
    owner = await make_user()
    created = (await gql(CREATE, {"input": weekly_ny(rrule="FREQ=WEEKLY;COUNT=6")}, user=owner))["data"]["createEvent"]["event"]

    body = await gql(UPDATE, {"input": {"id": created["id"], "scope": "THIS_AND_FOLLOWING",
                                        "occurrence": "2026-03-16T13:00:00Z", "title": "Standup (new room)"}},
                     user=owner)

    result = body["data"]["updateEvent"]
    assert result["errors"] == []
    tail = result["event"]
    assert tail["parentEvent"] == {"id": created["id"]} and tail["title"] == "Standup (new room)"
    assert tail["rrule"] == "FREQ=WEEKLY;COUNT=4"  # the remaining count, not the original COUNT=6
    assert tail["start"] == "2026-03-16T13:00:00+00:00"
    head = (await session.scalars(select(Event).where(Event.parent_event_id.is_(None)))).all()
    assert [e.rrule for e in head] == ["FREQ=WEEKLY;UNTIL=20260316T125959Z"]
    window = ("2026-02-01T00:00:00Z", "2026-06-01T00:00:00Z")
    before = await occurrences(gql, owner, created["id"], *window)
    after = await occurrences(gql, owner, tail["id"], *window)
    assert local_times(before) == ["03-02 09:00", "03-09 09:00"]
    assert local_times(after) == ["03-16 09:00", "03-23 09:00", "03-30 09:00", "04-06 09:00"]
    assert {o["title"] for o in after} == {"Standup (new room)"}


async def test_this_and_following_moving_the_time_moves_only_the_tail(gql: GraphQL, make_user: UserFactory) -> None:
    owner = await make_user()
    created = (await gql(CREATE, {"input": weekly_ny(rrule="FREQ=WEEKLY;UNTIL=20260413T130000Z")}, user=owner))[
        "data"]["createEvent"]["event"]

    body = await gql(UPDATE, {"input": {"id": created["id"], "scope": "THIS_AND_FOLLOWING",
                                        "occurrence": "2026-03-23T13:00:00Z", "start": "2026-03-23T10:00:00-04:00"}},
                     user=owner)

    tail = body["data"]["updateEvent"]["event"]
    window = ("2026-02-01T00:00:00Z", "2026-06-01T00:00:00Z")
    assert local_times(await occurrences(gql, owner, created["id"], *window)) == ["03-02 09:00", "03-09 09:00", "03-16 09:00"]
    assert local_times(await occurrences(gql, owner, tail["id"], *window)) == ["03-23 10:00", "03-30 10:00", "04-06 10:00", "04-13 10:00"]


async def test_update_all_moves_series_and_its_exceptions(gql: GraphQL, make_user: UserFactory, session) -> None:
    owner = await make_user()
    created = (await gql(CREATE, {"input": weekly_ny(exdates=["2026-03-09T13:00:00Z"])}, user=owner))["data"]["createEvent"]["event"]
    await gql(UPDATE, {"input": {"id": created["id"], "scope": "THIS", "occurrence": "2026-03-23T13:00:00Z",
                                 "title": "Special"}}, user=owner)

    body = await gql(UPDATE, {"input": {"id": created["id"], "scope": "ALL", "start": "2026-03-02T08:00:00-05:00"}},
                     user=owner)

    assert body["data"]["updateEvent"]["errors"] == []
    found = await occurrences(gql, owner, created["id"], "2026-03-01T00:00:00Z", "2026-05-01T00:00:00Z")
    assert local_times(found) == ["03-02 08:00", "03-16 08:00", "03-23 08:00", "03-30 08:00", "04-06 08:00"]
    assert [o["title"] for o in found] == ["Standup", "Standup", "Special", "Standup", "Standup"]


async def test_delete_this_cancels_one_occurrence(gql: GraphQL, make_user: UserFactory, session) -> None:
    owner = await make_user()
    created = (await gql(CREATE, {"input": weekly_ny()}, user=owner))["data"]["createEvent"]["event"]

    body = await gql(DELETE, {"input": {"id": created["id"], "scope": "THIS", "occurrence": "2026-03-09T13:00:00Z"}},
                     user=owner)

    assert body["data"]["deleteEvent"] == {"deletedEventId": None, "event": {"id": created["id"], "rrule": "FREQ=WEEKLY;COUNT=6"},
                                           "errors": []}
    override = (await session.scalars(select(EventOverride))).one()
    assert (override.cancelled, override.starts_at) == (True, None)
    found = await occurrences(gql, owner, created["id"], "2026-03-01T00:00:00Z", "2026-05-01T00:00:00Z")
    assert local_times(found) == ["03-02 09:00", "03-16 09:00", "03-23 09:00", "03-30 09:00", "04-06 09:00"]


async def test_delete_this_and_following_ends_the_series(gql: GraphQL, make_user: UserFactory) -> None:
    owner = await make_user()
    created = (await gql(CREATE, {"input": weekly_ny()}, user=owner))["data"]["createEvent"]["event"]

    body = await gql(DELETE, {"input": {"id": created["id"], "scope": "THIS_AND_FOLLOWING",
                                        "occurrence": "2026-03-23T13:00:00Z"}}, user=owner)

    assert body["data"]["deleteEvent"]["errors"] == []
    found = await occurrences(gql, owner, created["id"], "2026-03-01T00:00:00Z", "2026-05-01T00:00:00Z")
    assert local_times(found) == ["03-02 09:00", "03-09 09:00", "03-16 09:00"]


async def test_delete_all_removes_the_event_and_others_cannot(gql: GraphQL, make_user: UserFactory, session) -> None:
    before = await session.scalar(select(func.coalesce(func.max(ChangeLog.id), 0)))
    owner = await make_user()
    other = await make_user(Role.STAFF)
    created = (await gql(CREATE, {"input": weekly_ny()}, user=owner))["data"]["createEvent"]["event"]

    denied = await gql(DELETE, {"input": {"id": created["id"]}}, user=other)
    body = await gql(DELETE, {"input": {"id": created["id"], "scope": "ALL"}}, user=owner)

    assert denied["data"]["deleteEvent"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert body["data"]["deleteEvent"] == {"deletedEventId": created["id"], "event": None, "errors": []}
    pk = decode_id(created["id"], "Event", field="id")
    assert await session.get(Event, pk) is None
    # this test's changes only: tests that commit (tests/realtime) leave their own events' changes
    ops = [c.op for c in (await session.scalars(select(ChangeLog).where(ChangeLog.id > before)
                                                 .order_by(ChangeLog.id))).all()]
    assert ops == [ChangeOp.CREATED, ChangeOp.DELETED]


async def test_rsvp_and_attendance(gql: GraphQL, make_user: UserFactory) -> None:
    owner = await make_user(Role.STAFF, name="Owner")
    guest = await make_user(Role.STAFF, name="Guest")
    outsider = await make_user(Role.STAFF, name="Outsider")
    created = (await gql(CREATE, {"input": weekly_ny(participantIds=[to_global_id("User", guest.id)])}, user=owner))[
        "data"]["createEvent"]["event"]

    rsvp = await gql(RESPOND, {"input": {"eventId": created["id"], "rsvp": "ACCEPTED"}}, user=guest)
    denied = await gql(ATTEND, {"input": {"eventId": created["id"], "attendance": [
        {"userId": to_global_id("User", guest.id), "attended": True}]}}, user=outsider)
    attended = await gql(ATTEND, {"input": {"eventId": created["id"], "attendance": [
        {"userId": to_global_id("User", guest.id), "attended": True}]}}, user=owner)

    assert rsvp["data"]["respondToEvent"] == {"participant": {"rsvp": "ACCEPTED", "user": {"name": "Guest"}}, "errors": []}
    assert denied["data"]["recordAttendance"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert attended["data"]["recordAttendance"] == {
        "participants": [{"attended": True, "user": {"name": "Guest"}}], "errors": []}


async def test_stale_expected_version_is_a_conflict(gql: GraphQL, make_user: UserFactory) -> None:
    owner = await make_user()
    created = (await gql(CREATE, {"input": weekly_ny()}, user=owner))["data"]["createEvent"]["event"]

    body = await gql(UPDATE, {"input": {"id": created["id"], "expectedVersion": 7, "title": "x"}}, user=owner)

    assert body["data"]["updateEvent"]["errors"][0]["code"] == "CONFLICT"
