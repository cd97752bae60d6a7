"""notifications / markNotificationsRead / calendarPreferences over GraphQL (rolled-back transaction)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from db.models import Notification
from schema.core.ids import to_global_id

NOTIFICATIONS = """
query($unreadOnly: Boolean!) {
  notifications(unreadOnly: $unreadOnly, first: 10) { totalCount edges { node { id title read subjectType } } }
}"""
MARK_READ = """
mutation($input: MarkNotificationsReadInput!) {
  markNotificationsRead(input: $input) { notifications { id read } unreadCount errors { code field } }
}"""
UPDATE_PREFS = """
mutation($input: UpdateCalendarPreferencesInput!) {
  updateCalendarPreferences(input: $input) {
    calendarPreferences { timezone reminderOffsets emailEnabled inAppEnabled quietHoursStart quietHoursEnd }
    errors { code field }
  }
}"""
PREFS = "{ calendarPreferences { timezone reminderOffsets quietHoursStart } }"


def note(user_id: int, title: str, *, due: datetime, read: bool = False) -> Notification:
    return Notification(user_id=user_id, kind="test", title=title, dedupe_key=f"api:{user_id}:{title}",
                        deliver_at=due, read_at=due if read else None, subject_type="Event", subject_id=7)


async def test_lists_only_own_due_notifications_and_marks_them_read(gql, make_user, session: AsyncSession) -> None:
    # given
    me, other = await make_user(Role.VIEWER), await make_user()
    past = datetime.now(UTC) - timedelta(hours=1)
    mine = [note(me.id, "A", due=past), note(me.id, "B", due=past - timedelta(hours=1), read=True),
            note(me.id, "future", due=datetime.now(UTC) + timedelta(days=1))]
    theirs = note(other.id, "theirs", due=past)
    session.add_all([*mine, theirs])
    await session.flush()
    a_id, b_id = to_global_id("Notification", mine[0].id), to_global_id("Notification", mine[1].id)
    # when / then
    body = await gql(NOTIFICATIONS, {"unreadOnly": False}, user=me)
    assert body["data"] == {"notifications": {"totalCount": 2, "edges": [
        {"node": {"id": a_id, "title": "A", "read": False, "subjectType": "Event"}},
        {"node": {"id": b_id, "title": "B", "read": True, "subjectType": "Event"}},
    ]}}
    body = await gql(NOTIFICATIONS, {"unreadOnly": True}, user=me)
    assert body["data"]["notifications"]["totalCount"] == 1
    # someone else's id is NOT_FOUND and marks nothing
    theirs_id = to_global_id("Notification", theirs.id)
    body = await gql(MARK_READ, {"input": {"ids": [theirs_id]}}, user=me)
    assert body["data"] == {"markNotificationsRead": {"notifications": [], "unreadCount": 0,
                                                      "errors": [{"code": "NOT_FOUND", "field": "input.ids"}]}}
    body = await gql(MARK_READ, {"input": {"ids": [a_id]}}, user=me)
    assert body["data"] == {"markNotificationsRead": {"notifications": [{"id": a_id, "read": True}],
                                                      "unreadCount": 0, "errors": []}}
    body = await gql(MARK_READ, {"input": {"all": True}}, user=other)
    assert body["data"]["markNotificationsRead"]["notifications"] == [{"id": theirs_id, "read": True}]
    # the node field does not reveal another user's notification
    body = await gql("query($id: ID!) { node(id: $id) { id } }", {"id": theirs_id}, user=me)
    assert body["data"] == {"node": None}


async def test_mark_read_needs_ids_or_all(gql, make_user) -> None:
    me = await make_user()
    body = await gql(MARK_READ, {"input": {}}, user=me)
    assert body["data"]["markNotificationsRead"]["errors"] == [{"code": "VALIDATION", "field": "input.ids"}]
    body = await gql(MARK_READ, {"input": {"ids": [to_global_id("Event", 1)]}}, user=me)
    assert body["data"]["markNotificationsRead"]["errors"] == [{"code": "VALIDATION", "field": "input.ids"}]


async def test_update_calendar_preferences_validates_and_saves(gql, make_user) -> None:
    me = await make_user()
    assert (await gql(PREFS, user=me))["data"] == {"calendarPreferences": {
        "timezone": "UTC", "reminderOffsets": [30], "quietHoursStart": None}}
    bad = [
        ({"timezone": "Mars/Olympus"}, "input.timezone"),
        ({"reminderOffsets": [60 * 24 * 60 + 1]}, "input.reminderOffsets"),
        ({"reminderOffsets": [-1]}, "input.reminderOffsets"),
        ({"quietHoursStart": "22:00:00"}, "input.quietHoursEnd"),
        ({"quietHoursStart": "22:00", "quietHoursEnd": "22:00:00"}, "input.quietHoursEnd"),
        ({"quietHoursStart": "25:00", "quietHoursEnd": "07:00"}, "input.quietHoursStart"),
        ({"quietHoursStart": "22:00+08:00", "quietHoursEnd": "07:00"}, "input.quietHoursStart"),
    ]
    for values, field in bad:
        body = await gql(UPDATE_PREFS, {"input": values}, user=me)
        assert body["data"]["updateCalendarPreferences"] == {
            "calendarPreferences": None, "errors": [{"code": "VALIDATION", "field": field}]}, values
    body = await gql(UPDATE_PREFS, {"input": {
        "timezone": "Asia/Manila", "reminderOffsets": [30, 1440, 30], "emailEnabled": False,
        "quietHoursStart": "22:00", "quietHoursEnd": "07:00"}}, user=me)
    assert body["data"] == {"updateCalendarPreferences": {"calendarPreferences": {
        "timezone": "Asia/Manila", "reminderOffsets": [1440, 30], "emailEnabled": False, "inAppEnabled": True,
        "quietHoursStart": "22:00:00", "quietHoursEnd": "07:00:00"}, "errors": []}}
    body = await gql(UPDATE_PREFS, {"input": {"clearQuietHours": True}}, user=me)
    prefs = body["data"]["updateCalendarPreferences"]["calendarPreferences"]
    assert (prefs["timezone"], prefs["quietHoursStart"], prefs["reminderOffsets"]) == ("Asia/Manila", None, [1440, 30])


async def test_signed_out_is_unauthenticated(gql) -> None:
    body = await gql(NOTIFICATIONS, {"unreadOnly": False})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


ORDERED_NOTIFICATIONS = """
query($order: NotificationOrder) { notifications(orderBy: $order, first: 10) { edges { node { title } } } }"""


async def test_order_by_deliver_at_breaks_ties_by_id_in_the_same_direction(
    gql, make_user, session: AsyncSession
) -> None:
    me = await make_user()
    past = datetime.now(UTC) - timedelta(hours=1)
    session.add(note(me.id, "oldest", due=past - timedelta(hours=1)))
    await session.flush()
    session.add(note(me.id, "tie 1", due=past))
    await session.flush()
    session.add(note(me.id, "tie 2", due=past))

    def titles(body: dict) -> list[str]:  # type: ignore[type-arg]
        return [edge["node"]["title"] for edge in body["data"]["notifications"]["edges"]]

    ascending = await gql(ORDERED_NOTIFICATIONS, {"order": {"field": "DELIVER_AT"}}, user=me)
    descending = await gql(ORDERED_NOTIFICATIONS, {"order": {"field": "DELIVER_AT", "direction": "DESC"}}, user=me)

    assert titles(ascending) == ["oldest", "tie 1", "tie 2"]
    assert titles(descending) == ["tie 2", "tie 1", "oldest"]
