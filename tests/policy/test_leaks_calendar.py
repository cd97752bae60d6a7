"""Leak matrix for events, the calendar, feeds, export, users, share links and notifications.

One world per test: a PRIVATE recurring event (marker in title, description, location and
an overridden occurrence) owned by ``owner`` with ``participant`` invited, a booking made
for it, a task linked to it and a booking made for that task, a notification and a share
link of ``owner``, and ``owner``'s email address. Each entry of ``MATRIX`` is one read path
for one of those objects with the roles that read it; every other role must never see its
marker (another STAFF, a VIEWER, anonymous, and MANAGER/ADMIN where the policy grants them
nothing). Readers must see it, so a path that answers nothing cannot pass.

Subscriptions (live and replayed from the first cursor), feeds and import are below the
matrix; ``PATHS`` lists every covered (path, entity) so the matrix size can be reported.
"""
from __future__ import annotations

import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import icalendar
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role, Visibility
from db.models import Event, EventOverride, Notification, ShareLink, User
from db.queries.share_link import token_hash
from schema.core.ids import to_global_id
from tests.calendar import factories as make
from tests.conftest import GraphQL, UserFactory, token_for
from tests.policy import leaks
from tests.policy.leaks import secret_marker, seen

ALL_ROLES = ("owner", "participant", "manager", "admin", "other_staff", "viewer", "anonymous")
ROLE_OF = {"owner": Role.STAFF, "participant": Role.STAFF, "manager": Role.MANAGER, "admin": Role.ADMIN,
           "other_staff": Role.STAFF, "viewer": Role.VIEWER}


@dataclass
class World:
    users: dict[str, User]
    markers: dict[str, str]
    ids: dict[str, int]
    start: datetime
    gql: GraphQL
    client: httpx.AsyncClient
    session: AsyncSession
    extra: dict[str, Any] = field(default_factory=dict)

    def user(self, role: str) -> User | None:
        return self.users.get(role)

    def gid(self, type_name: str, key: str) -> str:
        return to_global_id(type_name, self.ids[key])

    @property
    def window(self) -> dict[str, str]:
        return {"start": (self.start - timedelta(days=1)).isoformat(),
                "end": (self.start + timedelta(days=20)).isoformat()}


@pytest.fixture
async def world(gql: GraphQL, client: httpx.AsyncClient, session: AsyncSession, make_user: UserFactory) -> World:
    m = {name: secret_marker() for name in ("event", "override", "booking", "task_booking", "notification", "link")}
    m["email"] = f"hidden-{uuid.uuid4().hex[:10]}"
    users = {role: await make_user(r) for role, r in ROLE_OF.items() if role != "owner"}
    users["owner"] = await make_user(Role.STAFF, email=f"{m['email']}@example.org")
    m["owner_name"] = users["owner"].name
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    event = await make.event(
        session, start, title=f"Hearing {m['event']}", description=f"About {m['event']}",
        location=f"Room {m['event']}", visibility=Visibility.PRIVATE, owner_id=users["owner"].id,
        participants=(users["participant"].id,), rrule="FREQ=WEEKLY;COUNT=3",
    )
    second = start + timedelta(days=7)
    await make.add(session, EventOverride(event_id=event.id, recurrence_id=second, starts_at=second,
                                          ends_at=second + timedelta(hours=1), title=f"Moved {m['override']}"))
    van, room = await make.resource(session), await make.resource(session)
    booking = await make.booking(session, van.id, start, event_id=event.id, purpose=f"For {m['booking']}",
                                 requested_by_id=users["owner"].id)
    task = await make.task(session, start + timedelta(days=1), title="Prepare the file", event_id=event.id)
    task_booking = await make.booking(session, room.id, start + timedelta(days=1), task_id=task.id,
                                      purpose=f"For {m['task_booking']}", requested_by_id=users["owner"].id)
    # assigned to two non-readers of the event: they read the task, never the event behind it
    side_task = await make.task(session, start + timedelta(days=2), title="Side task", event_id=event.id,
                                assignees=(users["other_staff"].id, users["viewer"].id))
    note = await make.add(session, Notification(
        user_id=users["owner"].id, kind="event_reminder", title=f"Reminder {m['notification']}", body="",
        dedupe_key=f"leak:{uuid.uuid4().hex}", deliver_at=datetime.now(UTC) - timedelta(minutes=1),
    ))
    link = await make.add(session, ShareLink(owner_id=users["owner"].id, name=f"Feed {m['link']}",
                                             token_hash=token_hash(secrets.token_urlsafe(16))))
    return World(users=users, markers=m, ids={"event": event.id, "booking": booking.id, "task": task.id,
                                               "task_booking": task_booking.id, "notification": note.id, "side_task": side_task.id,
                                               "link": link.id, "owner": users["owner"].id},
                 start=start, gql=gql, client=client, session=session)


Ask = Callable[[World, User | None], Awaitable[Any]]


@dataclass(frozen=True)
class Path:
    name: str
    entity: str  # the key of the marker this path must not leak
    readers: frozenset[str]
    ask: Ask

    def __str__(self) -> str:
        return f"{self.name}[{self.entity}]"


EVENT_READERS = frozenset({"owner", "participant"})  # roles grant nothing on a PRIVATE event
BOOKING_READERS = EVENT_READERS | {"manager", "admin"}  # plus the requester (owner) and the deciders
EMAIL_READERS = frozenset({"owner", "manager", "admin"})
EMAIL_SEARCHERS = frozenset({"owner", "manager", "admin"})  # the owner searching their own address

EVENT_FIELDS = """
  title description location
  overrides { title description location }
  participants { user { name } }
  occurrences(start: $start, end: $end) { title }
"""


def gql_path(query: str, variables: Callable[[World], dict[str, Any]] | None = None) -> Ask:
    async def ask(w: World, user: User | None) -> Any:
        return await w.gql(query, variables(w) if variables is not None else {}, user=user)

    return ask


async def ics_export(w: World, user: User | None) -> Any:
    headers = {"Authorization": f"Bearer {token_for(user)}"} if user is not None else {}
    await w.session.flush()
    response = await w.client.get("/calendar/export.ics", params=w.window, headers=headers)
    return response.text


async def own_feed_with_details(w: World, user: User | None) -> Any:
    """The user's own share link with OWN_DETAILS, fetched by whoever holds the URL (anonymous)."""
    if user is None:
        return (await w.client.get(f"/calendar/feed/{secrets.token_urlsafe(32)}.ics")).text
    created = await w.gql("""mutation { createShareLink(input: {privateEvents: OWN_DETAILS}) {
        token errors { code message } } }""", user=user)
    token = created["data"]["createShareLink"]["token"]
    if token is None:  # a VIEWER may not create links: nothing to fetch
        return created
    return (await w.client.get(f"/calendar/feed/{token}.ics")).text


async def share_links(w: World, user: User | None) -> Any:
    everyone = user is not None and user.id != w.ids["owner"]
    return await w.gql("""query ($all: Boolean!) { shareLinks(includeInactive: true, allOwners: $all) {
        totalCount edges { node { name owner { name } } } } }""", {"all": everyone}, user=user)


async def revoke_link(w: World, user: User | None) -> Any:
    return await w.gql("""mutation ($id: ID!) { revokeShareLink(input: {id: $id}) {
        shareLink { name } errors { code field message } } }""", {"id": w.gid("ShareLink", "link")}, user=user)


async def respond(w: World, user: User | None) -> Any:
    return await w.gql("""mutation ($id: ID!) { respondToEvent(input: {eventId: $id, rsvp: ACCEPTED}) {
        event { title description location } errors { code field message } } }""",
                       {"id": w.gid("Event", "event")}, user=user)


def window_and(key: str, type_name: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {**w.window, "id": w.gid(type_name, key)}


MATRIX: list[Path] = [
    Path("events", "event", EVENT_READERS, gql_path(
        "query ($start: DateTime!, $end: DateTime!) { events(first: 100) { edges { node {" + EVENT_FIELDS + "} } } }",
        lambda w: w.window)),
    Path("events", "override", EVENT_READERS, gql_path(
        "query ($start: DateTime!, $end: DateTime!) { events(first: 100) { edges { node {" + EVENT_FIELDS + "} } } }",
        lambda w: w.window)),
    Path("events(search)", "event", EVENT_READERS, gql_path(
        "query ($q: String!) { events(filter: {search: $q}) { totalCount edges { node { title } } } }",
        lambda w: {"q": w.markers["event"]})),
    Path("node", "event", EVENT_READERS, gql_path(
        "query ($id: ID!, $start: DateTime!, $end: DateTime!) { node(id: $id) { ... on Event {"
        + EVENT_FIELDS + "} } }", window_and("event", "Event"))),
    Path("Event.occurrences", "override", EVENT_READERS, gql_path(
        "query ($id: ID!, $start: DateTime!, $end: DateTime!) { node(id: $id) { ... on Event {"
        " occurrences(start: $start, end: $end) { title } } } }", window_and("event", "Event"))),
    Path("nodes", "event", EVENT_READERS, gql_path(
        "query ($id: ID!, $start: DateTime!, $end: DateTime!) { nodes(ids: [$id]) { ... on Event {"
        + EVENT_FIELDS + "} } }", window_and("event", "Event"))),
    Path("calendar", "event", EVENT_READERS, gql_path(
        "query ($start: DateTime!, $end: DateTime!) { calendar(start: $start, end: $end) {"
        " entries { title source { ... on Event { title description location } } } } }", lambda w: w.window)),
    Path("calendar", "override", EVENT_READERS, gql_path(
        "query ($start: DateTime!, $end: DateTime!) { calendar(start: $start, end: $end) { entries { title } } }",
        lambda w: w.window)),
    Path("calendar", "booking", BOOKING_READERS, gql_path(
        "query ($start: DateTime!, $end: DateTime!) { calendar(start: $start, end: $end) {"
        " entries { title source { ... on Booking { purpose } } } } }", lambda w: w.window)),
    Path("calendar", "task_booking", BOOKING_READERS, gql_path(
        "query ($start: DateTime!, $end: DateTime!) { calendar(start: $start, end: $end) {"
        " entries { title source { ... on Booking { purpose } } } } }", lambda w: w.window)),
    Path("Task.event", "event", EVENT_READERS, gql_path(
        "query ($id: ID!) { node(id: $id) { ... on Task { title event { title description location } } } }",
        lambda w: {"id": w.gid("Task", "side_task")})),
    Path("tasks.event", "event", EVENT_READERS, gql_path(
        '{ tasks(first: 100, filter: {search: "Side task"}) { edges { node { event { title location } } } } }')),
    Path("Booking.event", "event", EVENT_READERS, gql_path(
        "query ($id: ID!) { node(id: $id) { ... on Booking { purpose event { title description } } } }",
        lambda w: {"id": w.gid("Booking", "booking")})),
    Path("respondToEvent", "event", EVENT_READERS, respond),
    Path("export.ics", "event", EVENT_READERS, ics_export),
    Path("export.ics", "override", EVENT_READERS, ics_export),
    Path("export.ics", "booking", BOOKING_READERS, ics_export),
    Path("export.ics", "task_booking", BOOKING_READERS, ics_export),
    Path("feed(OWN_DETAILS)", "event", frozenset({"owner"}), own_feed_with_details),
    Path("feed(OWN_DETAILS)", "booking", frozenset(), own_feed_with_details),
    Path("users(search: email)", "owner_name", EMAIL_SEARCHERS, gql_path(
        "query ($q: String!) { users(filter: {search: $q}) { edges { node { name } } } }",
        lambda w: {"q": w.markers["email"]})),
    Path("users(search: email pattern)", "owner_name", frozenset(), gql_path(  # `_` is literal, not a wildcard
        "query ($q: String!) { users(filter: {search: $q}) { edges { node { name } } } }",
        lambda w: {"q": w.markers["email"][:-1] + "_"})),
    Path("users.email", "email", EMAIL_READERS, gql_path(
        "query ($q: String!) { users(filter: {search: $q}) { edges { node { email } } } }",
        lambda w: {"q": w.markers["owner_name"]})),
    Path("node(User).email", "email", EMAIL_READERS, gql_path(
        "query ($id: ID!) { node(id: $id) { ... on User { email } } }", lambda w: {"id": w.gid("User", "owner")})),
    Path("notifications", "notification", frozenset({"owner"}), gql_path(
        "{ notifications(first: 100) { edges { node { title body } } } }")),
    Path("node(Notification)", "notification", frozenset({"owner"}), gql_path(
        "query ($id: ID!) { node(id: $id) { ... on Notification { title } } }",
        lambda w: {"id": w.gid("Notification", "notification")})),
    Path("shareLinks", "link", frozenset({"owner", "admin"}), share_links),
    Path("node(ShareLink)", "link", frozenset({"owner", "admin"}), gql_path(
        "query ($id: ID!) { node(id: $id) { ... on ShareLink { name } } }", lambda w: {"id": w.gid("ShareLink", "link")})),
    Path("revokeShareLink", "link", frozenset({"owner", "admin"}), revoke_link),
]

# Every (path, entity) this module covers, the matrix rows plus the tests further down.
PATHS: list[tuple[str, str]] = [(p.name, p.entity) for p in MATRIX]
leaks.PATHS.extend((p.name, f"calendar:{p.entity}", len(ALL_ROLES)) for p in MATRIX)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("path", MATRIX, ids=str)
async def test_marker_reaches_readers_only(world: World, path: Path, role: str) -> None:
    response = await path.ask(world, world.user(role))

    assert seen(world.markers[path.entity], response) == (role in path.readers), response


# -- importCalendar ----------------------------------------------------------------------------
IMPORT = """mutation ($ics: String!) { importCalendar(input: {ics: $ics}) {
  created updated skipped problems { uid reason } errors { code field message } } }"""


def vevent_file(uid: str, title: str, *, extra: tuple[str, ...] = (), sequence: int = 99) -> str:
    return "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Leak test//EN", "BEGIN:VEVENT", f"UID:{uid}",
        f"SEQUENCE:{sequence}", f"SUMMARY:{title}", "DTSTART:20260302T090000Z", "DTEND:20260302T100000Z",
        *extra, "END:VEVENT", "END:VCALENDAR", "",
    ])


PATHS += [("importCalendar(existing UID)", "event"), ("importCalendar(CLASS)", "event")]
leaks.PATHS.extend([("importCalendar(existing UID)", "calendar:event", 5), ("importCalendar(CLASS)", "calendar:event", 6)])


@pytest.mark.parametrize("role", ["other_staff", "viewer", "manager", "admin", "anonymous"])
async def test_import_answers_the_same_for_a_hidden_uid_and_a_missing_one(world: World, role: str) -> None:
    event = await world.session.get(Event, world.ids["event"])
    assert event is not None
    hidden_uid, title = event.uid, event.title
    user = world.user(role)

    on_hidden = await world.gql(IMPORT, {"ics": vevent_file(hidden_uid, "Hijack")}, user=user)
    on_missing = await world.gql(IMPORT, {"ics": vevent_file(f"{uuid.uuid4()}@nowhere", "Hijack")}, user=user)

    assert on_hidden == on_missing
    assert not seen(world.markers["event"], on_hidden)
    await world.session.refresh(event)
    assert (event.title, event.owner_id) == (title, world.ids["owner"])


async def test_import_by_the_owner_updates_their_private_event(world: World) -> None:
    event = await world.session.get(Event, world.ids["event"])
    assert event is not None

    body = await world.gql(IMPORT, {"ics": vevent_file(event.uid, "Renamed", extra=("CLASS:PRIVATE",))},
                           user=world.user("owner"))

    assert body["data"]["importCalendar"]["updated"] == 1
    await world.session.refresh(event)
    assert (event.title, event.visibility) == ("Renamed", Visibility.PRIVATE)


@pytest.mark.parametrize("classification", ["PRIVATE", "CONFIDENTIAL"])
async def test_imported_class_keeps_the_event_from_non_readers(world: World, classification: str) -> None:
    marker = secret_marker()
    body = await world.gql(IMPORT, {"ics": vevent_file(f"{uuid.uuid4()}@x", f"Imported {marker}",
                                                       extra=(f"CLASS:{classification}",))}, user=world.user("owner"))
    query = "{ events(first: 100) { edges { node { title visibility } } } }"

    assert body["data"]["importCalendar"]["created"] == 1
    assert seen(marker, await world.gql(query, user=world.user("owner")))
    for role in ("other_staff", "viewer", "manager", "admin", "anonymous"):
        assert not seen(marker, await world.gql(query, user=world.user(role))), role


# -- share-link feeds: how a PRIVATE entry appears ---------------------------------------------
PATHS += [("feed(BUSY)", "event"), ("feed(BUSY)", "booking"), ("feed(HIDDEN)", "event"), ("feed(HIDDEN)", "booking")]
leaks.PATHS.extend([("feed(BUSY)", "calendar:event", 2), ("feed(BUSY)", "calendar:booking", 2),  # participant, owner
                    ("feed(HIDDEN)", "calendar:event", 1), ("feed(HIDDEN)", "calendar:booking", 1)])


async def feed_of(w: World, role: str, privacy: str) -> icalendar.Calendar:
    created = await w.gql("""mutation ($p: FeedPrivacy!) { createShareLink(input: {privateEvents: $p}) {
        token shareLink { privateEvents } errors { code } } }""", {"p": privacy}, user=w.user(role))
    assert created["data"]["createShareLink"]["shareLink"] == {"privateEvents": privacy}
    response = await w.client.get(f"/calendar/feed/{created['data']['createShareLink']['token']}.ics")
    assert response.status_code == 200
    for name in ("event", "override", "booking"):
        assert w.markers[name] not in response.text, name
    return icalendar.Calendar.from_ical(response.content)


@pytest.mark.parametrize("role", ["participant", "owner"])
async def test_feed_shows_private_entries_as_busy_time_only(world: World, role: str) -> None:
    event = await world.session.get(Event, world.ids["event"])
    assert event is not None

    calendar = await feed_of(world, role, "BUSY")

    busy = [c for c in calendar.walk("VEVENT") if str(c["SUMMARY"]) == "Busy"]
    starts = {c["DTSTART"].dt.astimezone(UTC) for c in busy if "RECURRENCE-ID" not in c}
    assert {world.start, world.start + timedelta(days=1)} <= starts  # the event and its task's booking
    for component in busy:
        assert str(component["CLASS"]) == "PRIVATE"
        assert not {"DESCRIPTION", "LOCATION", "ATTENDEE", "CATEGORIES", "ORGANIZER"} & set(component)
        assert str(component["UID"]) != event.uid and "Booking" not in str(component["UID"])


async def test_hidden_feed_leaves_private_entries_out(world: World) -> None:
    calendar = await feed_of(world, "participant", "HIDDEN")

    starts = {c["DTSTART"].dt.astimezone(UTC) for c in calendar.walk("VEVENT")}
    assert world.start not in starts and world.start + timedelta(days=1) not in starts


async def test_export_marks_private_events_with_class(world: World) -> None:
    text = await ics_export(world, world.user("participant"))

    hearing = [c for c in icalendar.Calendar.from_ical(text).walk("VEVENT") if world.markers["event"] in str(c["SUMMARY"])]
    assert hearing and all(str(c["CLASS"]) == "PRIVATE" for c in hearing)


def test_matrix_size_is_reported() -> None:
    """paths x entities x roles, printed with ``pytest -s``; guards against an empty matrix."""
    from tests.realtime import test_leaks_calendar_live  # noqa: F401  (its paths join PATHS)

    paths = {name for name, _ in PATHS}
    entities = {entity for _, entity in PATHS}
    cells = len(MATRIX) * len(ALL_ROLES)
    print(f"leak matrix (calendar): {len(paths)} paths x {len(entities)} entities, {len(PATHS)} (path, entity) "
          f"pairs; {cells} role cells in MATRIX (x{len(ALL_ROLES)} roles)")
    assert len(PATHS) >= 40 and cells >= 200
