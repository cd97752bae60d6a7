"""Leak matrix, work side: tasks, task-template targets, bookings, resources, PPAs (and parts),
needs, assessments, policies and teams, over every read path that reaches them.

Each probe asks one path as every role. Objects derived from a PRIVATE event (its task,
its booking) carry ``SECRET`` markers that must reach their readers (the event's owner and
participants, the task's assignee, the booking's requester; MANAGER/ADMIN for bookings)
and never another STAFF, a VIEWER or an anonymous caller. Office records (PPAs, needs, ...)
carry a marker every signed-in user reads and an anonymous caller never does.
Subscriptions (live and replayed from the first cursor, on both websocket protocols) are in
``tests/realtime/test_leaks_work_live.py``.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import (
    BookingStatus,
    PpaCategory,
    ResourceKind,
    Role,
    TeamRole,
    TemplateKind,
    Visibility,
)
from db.models import (
    Assessment,
    Booking,
    Event,
    EventParticipant,
    Need,
    Policy,
    Ppa,
    PpaMilestone,
    PpaNeed,
    PpaPolicy,
    Resource,
    Task,
    TaskAssignee,
    TaskTemplate,
    TaskTemplateItem,
    Team,
    TeamMembership,
    User,
)
from schema.core.ids import to_global_id
from tests.conftest import GraphQL, UserFactory
from tests.policy.leaks import PATHS, secret_marker, seen

START = datetime(2033, 4, 4, 9, tzinfo=UTC)
END = START + timedelta(hours=1)
MISSING = 2_000_000_000  # an id no row has

ALL_ROLES = ("owner", "participant", "assignee", "requester", "manager", "other_staff", "viewer", "anonymous")
PRIVATE_TASK_READERS = ("owner", "participant", "assignee")
PRIVATE_BOOKING_READERS = ("owner", "participant", "requester", "manager")
TASK_BOOKING_READERS = ("owner", "participant", "assignee", "requester", "manager")
SIGNED_IN = ("owner", "participant", "assignee", "requester", "manager", "other_staff", "viewer")


def gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


@dataclass
class World:
    """A PRIVATE event with a task and a booking carrying markers, and office records."""

    users: dict[str, User | None]
    secret: str  # on the private event's task and booking
    office: str  # on office-wide records
    event: Event
    task: Task
    booking: Booking
    task_booking: Booking
    resource: Resource
    ppa: Ppa
    milestone: PpaMilestone
    need: Need
    policy: Policy
    assessment: Assessment
    team: Team
    template: TaskTemplate
    office_task: Task
    extra: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
async def world(session: AsyncSession, make_user: UserFactory) -> World:
    users: dict[str, User | None] = {
        "owner": await make_user(Role.STAFF), "participant": await make_user(Role.STAFF),
        "assignee": await make_user(Role.STAFF), "requester": await make_user(Role.STAFF),
        "manager": await make_user(Role.MANAGER), "other_staff": await make_user(Role.STAFF),
        "viewer": await make_user(Role.VIEWER), "anonymous": None,
    }
    secret, office = secret_marker(), secret_marker()

    def uid(role: str) -> int:
        user = users[role]
        assert user is not None
        return user.id

    event = Event(uid=f"{uuid.uuid4()}@leaks", title="Disciplinary hearing", visibility=Visibility.PRIVATE,
                  owner_id=uid("owner"), starts_at=START, ends_at=END)
    resource = Resource(name=f"Room {office}", kind=ResourceKind.ROOM)
    team = Team(name=f"Team {office}")
    session.add_all([event, resource, team])
    await session.flush()
    session.add_all([EventParticipant(event_id=event.id, user_id=uid("participant")),
                     TeamMembership(team_id=team.id, user_id=uid("other_staff"), role=TeamRole.MEMBER)])
    task = Task(title=f"Prepare {secret}", description=f"notes {secret}", event_id=event.id,
                created_by_id=uid("owner"), due_at=START, position=1.0)
    # in its stage since 2020: stalled, so the portfolio lists it at risk
    ppa = Ppa(title=f"Road {office}", category=PpaCategory.PROJECT, owner_id=uid("owner"), lead_team_id=team.id,
              stage_entered_at=datetime(2020, 1, 1, tzinfo=UTC))
    need = Need(title=f"Need {office}")
    policy = Policy(title=f"Ordinance {office}")
    assessment = Assessment(title=f"Assessment {office}")
    template = TaskTemplate(name=f"Template {office}", kind=TemplateKind.COORDINATION_EVENT)
    session.add_all([task, ppa, need, policy, assessment, template])
    await session.flush()
    session.add(TaskAssignee(task_id=task.id, user_id=uid("assignee")))
    milestone = PpaMilestone(ppa_id=ppa.id, title=f"Milestone {office}", due_on=date(2033, 5, 1))
    office_task = Task(title=f"Survey {office}", ppa_id=ppa.id, position=2.0, due_at=START)
    booking = Booking(resource_id=resource.id, starts_at=START, ends_at=END, blocked_from=START, blocked_until=END,
                      status=BookingStatus.APPROVED, purpose=f"for {secret}", requested_by_id=uid("requester"),
                      event_id=event.id)
    later = START + timedelta(hours=3)
    task_booking = Booking(resource_id=resource.id, starts_at=later, ends_at=later + timedelta(hours=1),
                           blocked_from=later, blocked_until=later + timedelta(hours=1), status=BookingStatus.PENDING,
                           purpose=f"task {secret}", requested_by_id=uid("requester"), task_id=task.id)
    session.add_all([Task(title=f"Survey {office}", assessment_id=assessment.id, position=3.0),
                     Task(title=f"Hearing {office}", policy_id=policy.id, position=4.0)])
    session.add_all([milestone, office_task, booking, task_booking,
                     PpaNeed(ppa_id=ppa.id, need_id=need.id), PpaPolicy(ppa_id=ppa.id, policy_id=policy.id),
                     TaskTemplateItem(template_id=template.id, sequence=0, title="Brief for {event_title}")])
    await session.flush()
    return World(users, secret, office, event, task, booking, task_booking, resource, ppa, milestone, need,
                 policy, assessment, team, template, office_task)


# -- probes -----------------------------------------------------------------------------------
Variables = Callable[[World], dict[str, Any]]
Leaked = Callable[[World, dict[str, Any]], bool]


def marker_in(which: str) -> Leaked:
    def check(w: World, body: dict[str, Any]) -> bool:
        return seen(getattr(w, which), body)

    return check


SECRET_IN = marker_in("secret")


@dataclass(frozen=True)
class Probe:
    path: str
    entity: str
    query: str
    variables: Variables
    readers: tuple[str, ...]
    leaked: Leaked = SECRET_IN

    @property
    def non_readers(self) -> tuple[str, ...]:
        return tuple(r for r in ALL_ROLES if r not in self.readers)


TASKS = "query($f: TaskFilter) { tasks(filter: $f) { totalCount edges { node { id title description } } } }"
BOARD = "{ board { columns { totalCount tasks { title } } } }"
ANALYTICS = "query($f: TaskFilter) { taskAnalytics(filter: $f) { summary { count } byStatus { count } } }"
NODE = """query($id: ID!) { node(id: $id) { id
  ... on Task { title description } ... on Booking { purpose } ... on Ppa { title }
  ... on PpaMilestone { title } ... on Need { title } ... on Policy { title } ... on Assessment { title }
  ... on Team { name } ... on TaskTemplate { name } ... on Resource { name } } }"""
NODES = """query($ids: [ID!]!) { nodes(ids: $ids) { id
  ... on Task { title } ... on Booking { purpose } ... on Ppa { title } ... on Need { title } } }"""
BOOKINGS = "query($f: BookingFilter) { bookings(filter: $f) { totalCount edges { node { id purpose } } } }"
RESOURCE_BOOKINGS = """query($id: ID!) { node(id: $id) { ... on Resource {
  bookings { totalCount edges { node { id purpose task { title } } } } } } }"""
AVAILABILITY = """query($ids: [ID!]!, $start: DateTime!, $end: DateTime!) {
  resourceAvailability(resourceIds: $ids, start: $start, end: $end) { busy { start end bookingIds } } }"""
BOOKING_TASK = """query($id: ID!) { node(id: $id) { ... on Booking { purpose task { title description } } } }"""
PPAS = """{ ppas { edges { node { title milestones { title } needs { title } policies { title }
  tasks { edges { node { title } } } leadTeam { name members { user { name } } } } } } }"""
PORTFOLIO = "{ portfolio { ppaCount atRisk { edges { node { ppa { title } } } } } }"
NEEDS = "{ needs { edges { node { title ppas { title } } } } }"
POLICIES = "{ policies { edges { node { title ppas { title } } } } }"
ASSESSMENTS = "{ assessments { edges { node { title tasks { edges { node { title } } } } } } }"
ASSESSMENT_TASKS = """query($id: ID!) { node(id: $id) { ... on Assessment { tasks { edges { node { title } } } } } }"""
POLICY_TASKS = """query($id: ID!) { node(id: $id) { ... on Policy { tasks { edges { node { title } } } } } }"""
CANCEL_BOOKING = """mutation($input: CancelBookingInput!) { cancelBooking(input: $input) {
  booking { purpose } errors { code field message } } }"""
TEMPLATES = "{ taskTemplates { edges { node { name items { title } } } } }"
TEAMS = "{ teams { edges { node { name } } } }"
RESOURCES = "{ resources { edges { node { name } } } }"


def no_vars(_: World) -> dict[str, Any]:
    return {}


def count_of_event_tasks(w: World, body: dict[str, Any]) -> bool:
    data = body.get("data") or {}
    analytics = data.get("taskAnalytics")
    return analytics is not None and analytics["summary"]["count"] > 0


def event_booking_in(w: World, body: dict[str, Any]) -> bool:
    return seen(f"for {w.secret}", body)


def task_booking_in(w: World, body: dict[str, Any]) -> bool:
    return seen(f"task {w.secret}", body)


def booking_id_in(w: World, body: dict[str, Any]) -> bool:
    return seen(gid("Booking", w.booking.id), body)


PROBES = [
    # tasks
    Probe("tasks", "Task", TASKS, no_vars, PRIVATE_TASK_READERS),
    Probe("tasks(filter: {eventId})", "Task", TASKS, lambda w: {"f": {"eventId": gid("Event", w.event.id)}},
          PRIVATE_TASK_READERS),
    Probe("tasks(filter: {search})", "Task", TASKS, lambda w: {"f": {"search": w.secret}}, PRIVATE_TASK_READERS),
    Probe("board", "Task", BOARD, no_vars, PRIVATE_TASK_READERS),
    Probe("taskAnalytics(filter: {eventId})", "Task", ANALYTICS, lambda w: {"f": {"eventId": gid("Event", w.event.id)}},
          PRIVATE_TASK_READERS, count_of_event_tasks),
    Probe("node(Task)", "Task", NODE, lambda w: {"id": gid("Task", w.task.id)}, PRIVATE_TASK_READERS),
    Probe("nodes(Task)", "Task", NODES, lambda w: {"ids": [gid("Task", w.task.id)]}, PRIVATE_TASK_READERS),
    Probe("booking { task }", "Task", BOOKING_TASK, lambda w: {"id": gid("Booking", w.task_booking.id)},
          PRIVATE_TASK_READERS, lambda w, body: seen(f"Prepare {w.secret}", body)),
    # bookings
    Probe("bookings", "Booking", BOOKINGS, no_vars, PRIVATE_BOOKING_READERS, event_booking_in),
    Probe("bookings (for a private event's task)", "Booking", BOOKINGS, no_vars, TASK_BOOKING_READERS,
          task_booking_in),
    Probe("bookings(filter: {eventId})", "Booking", BOOKINGS, lambda w: {"f": {"eventId": gid("Event", w.event.id)}},
          PRIVATE_BOOKING_READERS, event_booking_in),
    Probe("node(Booking)", "Booking", NODE, lambda w: {"id": gid("Booking", w.booking.id)}, PRIVATE_BOOKING_READERS),
    Probe("nodes(Booking)", "Booking", NODES, lambda w: {"ids": [gid("Booking", w.booking.id)]},
          PRIVATE_BOOKING_READERS),
    Probe("resource { bookings }", "Booking", RESOURCE_BOOKINGS, lambda w: {"id": gid("Resource", w.resource.id)},
          PRIVATE_BOOKING_READERS, event_booking_in),
    Probe("resource { bookings { task } }", "Task", RESOURCE_BOOKINGS, lambda w: {"id": gid("Resource", w.resource.id)},
          PRIVATE_TASK_READERS, lambda w, body: seen(f"Prepare {w.secret}", body)),
    Probe("resourceAvailability (booking ids)", "Booking", AVAILABILITY,
          lambda w: {"ids": [gid("Resource", w.resource.id)], "start": START.isoformat(),
                     "end": (START + timedelta(days=1)).isoformat()},
          PRIVATE_BOOKING_READERS, booking_id_in),
    # office-wide records: every signed-in user reads them, anonymous callers none
    Probe("ppas { milestones needs policies tasks leadTeam }", "Ppa", PPAS, no_vars, SIGNED_IN, marker_in("office")),
    Probe("portfolio { atRisk }", "Ppa", PORTFOLIO, no_vars, SIGNED_IN, marker_in("office")),
    Probe("node(Ppa)", "Ppa", NODE, lambda w: {"id": gid("Ppa", w.ppa.id)}, SIGNED_IN, marker_in("office")),
    Probe("node(PpaMilestone)", "PpaMilestone", NODE, lambda w: {"id": gid("PpaMilestone", w.milestone.id)},
          SIGNED_IN, marker_in("office")),
    Probe("nodes(Ppa, Need)", "Ppa", NODES, lambda w: {"ids": [gid("Ppa", w.ppa.id), gid("Need", w.need.id)]},
          SIGNED_IN, marker_in("office")),
    Probe("needs { ppas }", "Need", NEEDS, no_vars, SIGNED_IN, marker_in("office")),
    Probe("node(Need)", "Need", NODE, lambda w: {"id": gid("Need", w.need.id)}, SIGNED_IN, marker_in("office")),
    Probe("policies { ppas }", "Policy", POLICIES, no_vars, SIGNED_IN, marker_in("office")),
    Probe("node(Policy)", "Policy", NODE, lambda w: {"id": gid("Policy", w.policy.id)}, SIGNED_IN, marker_in("office")),
    Probe("assessments { tasks }", "Assessment", ASSESSMENTS, no_vars, SIGNED_IN, marker_in("office")),
    Probe("assessment { tasks }", "Task", ASSESSMENT_TASKS, lambda w: {"id": gid("Assessment", w.assessment.id)},
          SIGNED_IN, lambda w, body: seen(f"Survey {w.office}", body)),
    Probe("policy { tasks }", "Task", POLICY_TASKS, lambda w: {"id": gid("Policy", w.policy.id)},
          SIGNED_IN, lambda w, body: seen(f"Hearing {w.office}", body)),
    Probe("node(Assessment)", "Assessment", NODE, lambda w: {"id": gid("Assessment", w.assessment.id)}, SIGNED_IN,
          marker_in("office")),
    Probe("teams", "Team", TEAMS, no_vars, SIGNED_IN, marker_in("office")),
    Probe("node(Team)", "Team", NODE, lambda w: {"id": gid("Team", w.team.id)}, SIGNED_IN, marker_in("office")),
    Probe("taskTemplates { items }", "TaskTemplate", TEMPLATES, no_vars, SIGNED_IN, marker_in("office")),
    Probe("node(TaskTemplate)", "TaskTemplate", NODE, lambda w: {"id": gid("TaskTemplate", w.template.id)},
          SIGNED_IN, marker_in("office")),
    Probe("resources", "Resource", RESOURCES, no_vars, SIGNED_IN, marker_in("office")),
    Probe("node(Resource)", "Resource", NODE, lambda w: {"id": gid("Resource", w.resource.id)}, SIGNED_IN,
          marker_in("office")),
]
PATHS.extend((p.path, p.entity, len(ALL_ROLES)) for p in PROBES)


@pytest.mark.parametrize("probe", PROBES, ids=[p.path for p in PROBES])
async def test_a_read_path_shows_the_marker_to_readers_only(gql: GraphQL, world: World, probe: Probe) -> None:
    variables = probe.variables(world)
    for role in ALL_ROLES:
        body = await gql(probe.query, variables, user=world.users[role])
        leaked = probe.leaked(world, body)
        if role in probe.readers:
            assert leaked, f"{probe.path}: reader {role} should see it: {body}"
        else:
            assert not leaked, f"{probe.path}: {role} must not see it: {body}"


# -- "unreadable" answers exactly like "missing" ----------------------------------------------------
TASK_OUTSIDERS = ("other_staff", "viewer", "manager")  # MANAGER decides bookings but reads no private task
SAME_AS_MISSING = [
    ("tasks(filter: {eventId})", TASKS, TASK_OUTSIDERS),
    ("board(filter: {eventId})", "query($f: TaskFilter) { board(filter: $f) { columns { totalCount } } }",
     TASK_OUTSIDERS),
    ("taskAnalytics(filter: {eventId})", ANALYTICS, TASK_OUTSIDERS),
    ("bookings(filter: {eventId})", BOOKINGS, ("other_staff", "viewer")),
]
PATHS.extend((name, "Event-linked", len(roles)) for name, _, roles in SAME_AS_MISSING)


@pytest.mark.parametrize(("name", "query", "roles"), SAME_AS_MISSING, ids=[n for n, _, _ in SAME_AS_MISSING])
async def test_a_filter_by_an_unreadable_event_answers_as_for_a_missing_one(
    gql: GraphQL, world: World, name: str, query: str, roles: tuple[str, ...]
) -> None:
    def variables(event: str) -> dict[str, Any]:
        return {"f": {"eventId": event}}

    for role in roles:
        user = world.users[role]
        private = await gql(query, variables(gid("Event", world.event.id)), user=user)
        missing = await gql(query, variables(gid("Event", MISSING)), user=user)
        assert private == missing, f"{name} as {role}"


# -- mutations: targets load through the policy; errors name nothing private ------------------------
CREATE_TASK = "mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id title } errors { code field message } } }"
UPDATE_TASK = "mutation($input: UpdateTaskInput!) { updateTask(input: $input) { task { title } errors { code field message } } }"
INSTANTIATE = """mutation($input: InstantiateTaskTemplateInput!) { instantiateTaskTemplate(input: $input) {
  tasks { title } createdCount errors { code field message } } }"""
CREATE_BOOKING = """mutation($input: CreateBookingInput!) { createBooking(input: $input) {
  booking { id } conflicts { bookingId starts_at: startsAt booking { purpose } } errors { code field message } } }"""


def errors_of(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return body["data"][name]["errors"]  # type: ignore[no-any-return]


def without_ids(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in e.items()} for e in errors]


async def tasks_titled(session: AsyncSession, text: str) -> int:
    return int(await session.scalar(select(func.count()).select_from(Task).where(Task.title.contains(text))) or 0)


PATHS.extend([("instantiateTaskTemplate(targetId)", "TaskTemplate target", 2),
              ("createTask(linkId)", "Task link target", 2), ("updateTask(linkId)", "Task link target", 2),
              ("updateTask(id) of an unreadable task", "Task", 2), ("createBooking(eventId)", "Booking target", 2),
              ("createBooking(taskId)", "Booking target", 2), ("createBooking CONFLICT message", "Booking", 2),
              ("cancelBooking(id) of an unreadable booking", "Booking", 2)])


async def test_instantiating_a_template_for_a_private_event_answers_like_a_missing_event(
    gql: GraphQL, world: World, session: AsyncSession
) -> None:
    # the event's title is what the template would copy: mark it
    world.event.title = f"Hearing {world.secret}"
    await session.flush()
    outsider = world.users["other_staff"]
    private = await gql(INSTANTIATE, {"input": {"templateId": gid("TaskTemplate", world.template.id),
                                                "targetId": gid("Event", world.event.id), "startDate": "2033-04-01"}},
                        user=outsider)
    missing = await gql(INSTANTIATE, {"input": {"templateId": gid("TaskTemplate", world.template.id),
                                                "targetId": gid("Event", MISSING), "startDate": "2033-04-01"}},
                        user=outsider)
    assert private == missing
    assert errors_of(private, "instantiateTaskTemplate")[0]["code"] == "NOT_FOUND"
    assert await tasks_titled(session, world.secret) == 1  # only the world's own task
    # a participant may: the tasks carry the title and are read only by the event's readers
    allowed = await gql(INSTANTIATE, {"input": {"templateId": gid("TaskTemplate", world.template.id),
                                                "targetId": gid("Event", world.event.id), "startDate": "2033-04-01"}},
                        user=world.users["participant"])
    assert allowed["data"]["instantiateTaskTemplate"]["createdCount"] == 1
    assert seen(world.secret, allowed)
    for role in ("other_staff", "viewer"):
        assert not seen(world.secret, await gql(TASKS, {}, user=world.users[role]))


async def test_a_template_of_one_kind_is_not_instantiated_for_another_type(gql: GraphQL, world: World) -> None:
    body = await gql(INSTANTIATE, {"input": {"templateId": gid("TaskTemplate", world.template.id),
                                             "targetId": gid("Ppa", world.ppa.id), "startDate": "2033-04-01"}},
                     user=world.users["owner"])
    assert errors_of(body, "instantiateTaskTemplate") == [{
        "code": "VALIDATION", "field": "input.targetId",
        "message": "A COORDINATION_EVENT template is instantiated for a Event, not a Ppa."}]


async def test_linking_a_task_to_a_private_event_answers_like_a_missing_event(
    gql: GraphQL, world: World, session: AsyncSession
) -> None:
    outsider = world.users["other_staff"]
    own = await gql(CREATE_TASK, {"input": {"title": "Mine"}}, user=outsider)
    own_id = own["data"]["createTask"]["task"]["id"]
    for event_id in (world.event.id, MISSING):
        created = await gql(CREATE_TASK, {"input": {"title": "Attach", "linkId": gid("Event", event_id)}}, user=outsider)
        updated = await gql(UPDATE_TASK, {"input": {"id": own_id, "expectedVersion": 1,
                                                    "linkId": gid("Event", event_id)}}, user=outsider)
        assert errors_of(created, "createTask") == [
            {"code": "NOT_FOUND", "field": "input.linkId", "message": "Event not found."}]
        assert errors_of(updated, "updateTask") == [
            {"code": "NOT_FOUND", "field": "input.linkId", "message": "Event not found."}]
    # nothing was attached to the private event
    attached = await session.scalar(select(func.count()).select_from(Task).where(Task.event_id == world.event.id))
    assert attached == 1
    # a participant may attach
    ok = await gql(CREATE_TASK, {"input": {"title": "Agenda", "linkId": gid("Event", world.event.id)}},
                   user=world.users["participant"])
    assert errors_of(ok, "createTask") == []


async def test_changing_an_unreadable_task_answers_like_a_missing_one(gql: GraphQL, world: World) -> None:
    for role in ("other_staff", "manager"):
        private = await gql(UPDATE_TASK, {"input": {"id": gid("Task", world.task.id), "expectedVersion": 1,
                                                    "title": "x"}}, user=world.users[role])
        missing = await gql(UPDATE_TASK, {"input": {"id": gid("Task", MISSING), "expectedVersion": 1,
                                                    "title": "x"}}, user=world.users[role])
        assert private == missing
        assert errors_of(private, "updateTask")[0]["code"] == "NOT_FOUND"


async def test_booking_for_an_unreadable_event_or_task_answers_like_a_missing_one(gql: GraphQL, world: World) -> None:
    outsider = world.users["other_staff"]
    later = START + timedelta(days=2)
    base = {"resourceId": gid("Resource", world.resource.id), "startsAt": later.isoformat(),
            "endsAt": (later + timedelta(hours=1)).isoformat()}
    for key, type_name, pk in (("eventId", "Event", world.event.id), ("taskId", "Task", world.task.id)):
        private = await gql(CREATE_BOOKING, {"input": {**base, key: gid(type_name, pk)}}, user=outsider)
        missing = await gql(CREATE_BOOKING, {"input": {**base, key: gid(type_name, MISSING)}}, user=outsider)
        assert private == missing
        assert errors_of(private, "createBooking")[0]["code"] == "NOT_FOUND"


async def test_cancelling_an_unreadable_booking_answers_like_a_missing_one(gql: GraphQL, world: World) -> None:
    for role in ("other_staff", "viewer"):
        private = await gql(CANCEL_BOOKING, {"input": {"id": gid("Booking", world.booking.id)}}, user=world.users[role])
        missing = await gql(CANCEL_BOOKING, {"input": {"id": gid("Booking", MISSING)}}, user=world.users[role])
        assert private == missing and errors_of(private, "cancelBooking")[0]["code"] == "NOT_FOUND", role


async def test_a_conflict_with_a_private_booking_names_neither_its_id_nor_its_times(gql: GraphQL, world: World) -> None:
    # a request overlapping the private booking's second half
    overlap = {"resourceId": gid("Resource", world.resource.id), "startsAt": (START + timedelta(minutes=30)).isoformat(),
               "endsAt": (END + timedelta(minutes=30)).isoformat()}
    for role in ("other_staff", "viewer_dry_run"):
        user = world.users["other_staff"]
        body = await gql(CREATE_BOOKING, {"input": {**overlap, "dryRun": role == "viewer_dry_run"}}, user=user)
        payload = body["data"]["createBooking"]
        assert payload["booking"] is None and payload["conflicts"] == []
        assert [e["code"] for e in payload["errors"]] == ["CONFLICT"]
        assert "taken" in payload["errors"][0]["message"]
        for secret in (gid("Booking", world.booking.id), START.isoformat(), END.isoformat(), world.secret):
            assert not seen(secret, body), (role, secret, body)
    # a reader of the booking (the event's participant) is told which booking it is
    body = await gql(CREATE_BOOKING, {"input": {**overlap, "dryRun": True}}, user=world.users["participant"])
    assert seen(gid("Booking", world.booking.id), body) and seen(world.secret, body)


# -- write rules (db/policies/task.py, db/policies/ppa.py) ---------------------------------------
UPDATE_PPA = "mutation($input: UpdatePpaInput!) { updatePpa(input: $input) { ppa { title } errors { code field message } } }"


async def test_who_may_change_an_office_task(gql: GraphQL, world: World, make_user: UserFactory,
                                             session: AsyncSession) -> None:
    creator, assignee, teammate, manager = (await make_user(), await make_user(), await make_user(),
                                            world.users["manager"])
    team = Team(name=f"Team {uuid.uuid4().hex[:6]}")
    session.add(team)
    await session.flush()
    task = Task(title="Office task", created_by_id=creator.id, position=5.0)
    session.add(task)
    await session.flush()
    session.add_all([TaskAssignee(task_id=task.id, user_id=assignee.id),
                     TeamMembership(team_id=team.id, user_id=teammate.id)])
    from db.models import TaskTeam
    session.add(TaskTeam(task_id=task.id, team_id=team.id))
    version = 1
    for user in (creator, assignee, teammate, manager):
        body = await gql(UPDATE_TASK, {"input": {"id": gid("Task", task.id), "expectedVersion": version,
                                                 "title": f"by {user.id}"}}, user=user)
        assert errors_of(body, "updateTask") == [], body
        version += 1
    for role in ("other_staff", "viewer"):
        body = await gql(UPDATE_TASK, {"input": {"id": gid("Task", task.id), "expectedVersion": version,
                                                 "title": "nope"}}, user=world.users[role])
        assert errors_of(body, "updateTask")[0]["code"] == "PERMISSION_DENIED", role


async def test_who_may_change_a_ppa_and_its_budget_owner_and_lead_team(gql: GraphQL, world: World) -> None:
    ppa_id = gid("Ppa", world.ppa.id)
    # the lead team's member edits the title, but not the budget figure, owner or lead team
    member = world.users["other_staff"]
    ok = await gql(UPDATE_PPA, {"input": {"id": ppa_id, "expectedVersion": 1, "title": "Farm road"}}, user=member)
    assert errors_of(ok, "updatePpa") == []
    for change, name in (({"budgetAllocated": "100"}, "input.budgetAllocated"),
                          ({"ownerId": gid("User", member.id)}, "input.ownerId"),
                          ({"leadTeamId": None}, "input.leadTeamId")):
        refused = await gql(UPDATE_PPA, {"input": {"id": ppa_id, "expectedVersion": 2, **change}}, user=member)
        assert [(e["code"], e["field"]) for e in errors_of(refused, "updatePpa")] == [("PERMISSION_DENIED", name)]
    # someone neither owner nor on the lead team may not edit at all
    stranger = world.users["requester"]
    body = await gql(UPDATE_PPA, {"input": {"id": ppa_id, "expectedVersion": 2, "title": "x"}}, user=stranger)
    assert errors_of(body, "updatePpa")[0]["code"] == "PERMISSION_DENIED"
    # a manager changes the budget figure
    body = await gql(UPDATE_PPA, {"input": {"id": ppa_id, "expectedVersion": 2, "budgetAllocated": "100"}},
                     user=world.users["manager"])
    assert errors_of(body, "updatePpa") == []


WORKLOAD = "query($f: TaskFilter) { taskAnalytics(filter: $f) { summary { count } byAssignee { user { id } count } } }"


async def test_per_person_workload_is_shown_to_the_person_their_team_lead_and_managers(
    gql: GraphQL, world: World, make_user: UserFactory, session: AsyncSession
) -> None:
    worker, lead, colleague = await make_user(), await make_user(), await make_user()
    team = Team(name=f"Team {uuid.uuid4().hex[:6]}")
    session.add(team)
    await session.flush()
    session.add_all([TeamMembership(team_id=team.id, user_id=worker.id, role=TeamRole.MEMBER),
                     TeamMembership(team_id=team.id, user_id=lead.id, role=TeamRole.LEAD),
                     TeamMembership(team_id=team.id, user_id=colleague.id, role=TeamRole.MEMBER)])
    task = Task(title="Count me", position=9.0)
    session.add(task)
    await session.flush()
    session.add(TaskAssignee(task_id=task.id, user_id=worker.id))
    worker_gid = gid("User", worker.id)
    for user, sees in ((worker, True), (lead, True), (world.users["manager"], True), (colleague, False),
                       (world.users["viewer"], False)):
        body = await gql(WORKLOAD, {"f": {"assigneeIds": [worker_gid]}}, user=user)
        rows = body["data"]["taskAnalytics"]["byAssignee"]
        assert (worker_gid in [r["user"]["id"] for r in rows]) is sees, (user.role, body)
        assert (body["data"]["taskAnalytics"]["summary"]["count"] > 0) is sees, body
