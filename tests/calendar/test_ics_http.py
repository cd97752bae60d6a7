"""export.ics for the bearer's own view, share links and their feeds."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import icalendar
from sqlalchemy import select

from db.enums import Role, Visibility
from db.models import ShareLink
from db.queries.share_link import token_hash
from schema.core.ids import to_global_id
from tests.calendar import factories as make
from tests.conftest import GraphQL, UserFactory, token_for

CREATE_LINK = """
mutation L($input: CreateShareLinkInput!) {
  createShareLink(input: $input) { token url shareLink { id name modules active } errors { code field message } }
}
"""
REVOKE_LINK = """
mutation R($id: ID!) { revokeShareLink(input: {id: $id}) { shareLink { active } errors { code message } } }
"""
LINKS = "{ shareLinks { totalCount edges { node { name active } } } }"


def now() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


async def export(client: httpx.AsyncClient, user: object, **params: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token_for(user)}"} if user is not None else {}
    return await client.get("/calendar/export.ics", params=params, headers=headers)


def summaries(body: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(c["SUMMARY"]): c for c in calendar.walk("VEVENT") if "RECURRENCE-ID" not in c}


async def test_export_keeps_rules_and_time_zones(client: httpx.AsyncClient, make_user: UserFactory, gql: GraphQL,
                                                 session) -> None:
    owner = await make_user()
    await make.event(session, datetime(2026, 3, 2, 14, tzinfo=UTC), 30, title="Standup",
                     rrule="FREQ=WEEKLY;BYDAY=MO", timezone="America/New_York",
                     exdates=[datetime(2026, 3, 9, 13, tzinfo=UTC)])
    await make.task(session, datetime(2026, 3, 10, 17, tzinfo=UTC), title="Report due")
    await make.event(session, datetime(2026, 3, 3, 9, tzinfo=UTC), title="Someone's secret",
                     visibility=Visibility.PRIVATE, owner_id=(await make_user()).id)
    await session.flush()

    response = await export(client, owner, start="2026-03-01T00:00:00Z", end="2026-04-01T00:00:00Z")

    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = summaries(response.content)
    assert set(events) == {"Standup", "Report due"}
    standup = events["Standup"]
    assert standup["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=MO"
    assert standup["DTSTART"].params["TZID"] == "America/New_York"
    assert standup["DTSTART"].dt == datetime(2026, 3, 2, 9, tzinfo=standup["DTSTART"].dt.tzinfo)
    assert [d.dt.astimezone(UTC) for d in standup["EXDATE"].dts] == [datetime(2026, 3, 9, 13, tzinfo=UTC)]
    assert "America/New_York" in {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}


async def test_export_requires_a_token_and_a_valid_window(client: httpx.AsyncClient, make_user: UserFactory) -> None:
    user = await make_user()

    anonymous = await export(client, None)
    too_long = await export(client, user, start="2026-01-01T00:00:00Z", end="2027-06-01T00:00:00Z")
    bad_module = await export(client, user, modules="NOPE")

    assert anonymous.status_code == 401 and anonymous.json()["code"] == "UNAUTHENTICATED"
    assert too_long.status_code == 400 and too_long.json() == {
        "error": "The window may span at most 400 days.", "code": "VALIDATION"}
    assert bad_module.status_code == 400


async def test_export_module_filter(client: httpx.AsyncClient, make_user: UserFactory, session) -> None:
    user = await make_user()
    await make.event(session, datetime(2026, 3, 2, 9, tzinfo=UTC), title="Meeting")
    await make.task(session, datetime(2026, 3, 3, 9, tzinfo=UTC), title="Task")

    response = await export(client, user, start="2026-03-01T00:00:00Z", end="2026-04-01T00:00:00Z", modules="TASKS")

    assert set(summaries(response.content)) == {"Task"}


async def test_share_link_feed_serves_the_owners_filtered_view(client: httpx.AsyncClient, gql: GraphQL,
                                                               make_user: UserFactory, session) -> None:
    owner = await make_user(Role.STAFF)
    north = await make.community(session)
    soon = now() + timedelta(days=3)
    await make.event(session, soon, title="North assembly", community_id=north.id)
    await make.event(session, soon, title="Elsewhere")
    await make.event(session, soon, title="My private review", visibility=Visibility.PRIVATE, owner_id=owner.id,
                     community_id=north.id)

    created = (await gql(CREATE_LINK, {"input": {"name": "North feed",
                                                 "communityIds": [to_global_id("Community", north.id)]}},
                         user=owner))["data"]["createShareLink"]
    feed = await client.get(f"/calendar/feed/{created['token']}.ics")

    assert created["errors"] == [] and created["shareLink"]["name"] == "North feed"
    assert created["url"].endswith(f"/calendar/feed/{created['token']}.ics")
    assert len(created["token"]) >= 43  # 32 random bytes, URL-safe base64
    stored = (await session.scalars(select(ShareLink))).one()
    assert stored.token_hash == token_hash(created["token"]) and created["token"] not in stored.token_hash
    assert feed.status_code == 200
    # the owner's own PRIVATE event only as busy time: the link's default privateEvents is BUSY
    assert set(summaries(feed.content)) == {"North assembly", "Busy"}
    assert "My private review" not in feed.text and str(summaries(feed.content)["Busy"]["CLASS"]) == "PRIVATE"


async def test_feed_404_for_unknown_revoked_and_expired_tokens(client: httpx.AsyncClient, gql: GraphQL,
                                                               make_user: UserFactory, session) -> None:
    owner = await make_user()
    other = await make_user()
    revoked = (await gql(CREATE_LINK, {"input": {"name": "Old"}}, user=owner))["data"]["createShareLink"]
    live = (await gql(CREATE_LINK, {"input": {"name": "Live", "expiresAt": (now() + timedelta(days=1)).isoformat()}},
                      user=owner))["data"]["createShareLink"]
    expired = (await gql(CREATE_LINK, {"input": {"name": "Short"}}, user=owner))["data"]["createShareLink"]
    link = (await session.scalars(select(ShareLink).where(ShareLink.name == "Short"))).one()
    link.expires_at = now() - timedelta(minutes=1)
    await session.flush()

    not_yours = await gql(REVOKE_LINK, {"id": revoked["shareLink"]["id"]}, user=other)
    revoke = await gql(REVOKE_LINK, {"id": revoked["shareLink"]["id"]}, user=owner)
    statuses = {name: (await client.get(f"/calendar/feed/{token}.ics")).status_code for name, token in [
        ("unknown", "x" * 43), ("revoked", revoked["token"]), ("expired", expired["token"]), ("live", live["token"])]}
    listed = await gql(LINKS, user=owner)

    assert not_yours["data"]["revokeShareLink"]["errors"][0]["code"] == "NOT_FOUND"
    assert revoke["data"]["revokeShareLink"] == {"shareLink": {"active": False}, "errors": []}
    assert statuses == {"unknown": 404, "revoked": 404, "expired": 404, "live": 200}
    assert listed["data"]["shareLinks"] == {"totalCount": 1, "edges": [{"node": {"name": "Live", "active": True}}]}


async def test_share_link_rejects_past_expiry(gql: GraphQL, make_user: UserFactory) -> None:
    owner = await make_user()

    body = await gql(CREATE_LINK, {"input": {"expiresAt": "2020-01-01T00:00:00Z"}}, user=owner)

    assert body["data"]["createShareLink"] == {"token": None, "url": None, "shareLink": None, "errors": [
        {"code": "VALIDATION", "field": "input.expiresAt", "message": "Must be in the future."}]}


async def test_cli_export_is_the_office_wide_view(session, make_user: UserFactory) -> None:
    from resolvers.calendar_export import export_ics as cli_export

    admin = await make_user(Role.ADMIN)
    await make.event(session, datetime(2026, 3, 2, 9, tzinfo=UTC), title="Internal", rrule="FREQ=DAILY;COUNT=3")
    await make.event(session, datetime(2026, 3, 2, 9, tzinfo=UTC), title="Other's private",
                     visibility=Visibility.PRIVATE, owner_id=(await make_user()).id)
    await make.event(session, datetime(2026, 3, 2, 9, tzinfo=UTC), title="Admin's private",
                     visibility=Visibility.PRIVATE, owner_id=admin.id)

    body = await cli_export(session, start=datetime(2026, 3, 1), end=datetime(2026, 4, 1))

    events = summaries(body)
    assert set(events) == {"Internal"} and events["Internal"]["RRULE"].to_ical() == b"FREQ=DAILY;COUNT=3"
