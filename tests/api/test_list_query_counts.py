"""SQL statements per list query do not grow with rows: every list root field, nested relations selected.

One table (CASES) maps each root list field to its query, its seeding function and what
its response must show. Each case seeds 10 rows (with their nested relations), counts the
statements of one request, grows the data to 500 rows and counts again: the counts must
be equal. ``pytest -s`` prints the measured figures as a table at the end of the module.

The counts include the harness's SAVEPOINT/RELEASE statements and the bearer-token user
lookup; the "data" columns leave out SAVEPOINT/RELEASE/ROLLBACK TO statements and the token lookup
(what a ``{ __typename }`` request by the same viewer runs besides its savepoints).
"""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from db.enums import (
    BookingStatus,
    PpaCategory,
    PpaStage,
    ResourceKind,
    Role,
    TaskDomain,
    TaskStatus,
    TemplateKind,
    TransitionKind,
)
from db.models import (
    Assessment,
    Booking,
    Community,
    Event,
    EventOverride,
    EventParticipant,
    Need,
    Notification,
    Policy,
    Ppa,
    PpaMilestone,
    PpaNeed,
    PpaPolicy,
    PpaStageSchedule,
    PpaTransition,
    Resource,
    ShareLink,
    Task,
    TaskAssignee,
    TaskTeam,
    TaskTemplate,
    TaskTemplateItem,
    Team,
    TeamMembership,
    User,
)
from db.statements import counting
from schema.core.ids import to_global_id
from tests.conftest import GraphQL, UserFactory

SIZES = (10, 500)
NOW = datetime.now(UTC)
WINDOW_START = datetime(2041, 3, 1, tzinfo=UTC)  # calendar and availability rows live in March 2041
WINDOW = {"start": "2041-03-01T00:00:00Z", "end": "2041-04-01T00:00:00Z"}

USERS = """
query($tag: String!) { users(filter: {search: $tag}, first: 100) {
  totalCount edges { node { name email role teams { name members { role user { name } } } } }
} }"""
TEAMS = """
query($tag: String!) { teams(filter: {search: $tag}, first: 100) {
  totalCount edges { node { name members { role user { name teams { name } } } } }
} }"""
COMMUNITIES = """
query($tag: String!) { communities(filter: {search: $tag}, first: 100) {
  totalCount edges { node { name code region population } }
} }"""
TASK_FIELDS = """title status dueAt isOverdue assignees { name } teams { name } createdBy { name }
  recurrenceParent { title } community { name } ppa { title } event { title } assessment { title }
  policy { title } need { title }"""
TASKS = f"""
query($tag: String!) {{ tasks(filter: {{search: $tag}}, first: 100) {{
  totalCount edges {{ node {{ {TASK_FIELDS} }} }}
}} }}"""
BOARD = """
query($tag: String!) { board(filter: {search: $tag}, cardsPerColumn: 100) {
  columns { status totalCount tasks { title position assignees { name } teams { name } ppa { title } } }
} }"""
TASK_ANALYTICS = """
query($tag: String!) { taskAnalytics(filter: {search: $tag}) {
  summary { count overdue estimatedHours actualHours }
  byStatus { status count } byDomain { domain count } byPriority { priority count }
  byAssignee { user { name } count open } byTeam { team { name } count }
} }"""
TASK_TEMPLATES = """
query($tag: String!) { taskTemplates(filter: {search: $tag}, first: 100) {
  totalCount edges { node { name kind isDefault items { sequence title offsetDays priority estimatedHours } } }
} }"""
RESOURCES = """
query($tag: String!) { resources(filter: {search: $tag}, first: 50) {
  totalCount edges { node { name kind bookings(first: 10) {
    totalCount edges { node { status resource { name } requestedBy { name } decidedBy { name }
                              event { title } task { title } } }
  } } }
} }"""
BOOKINGS = """
query($resourceIds: [ID!]!) { bookings(filter: {resourceIds: $resourceIds}, first: 100) {
  totalCount edges { node { status startsAt resource { name } requestedBy { name } decidedBy { name }
                            event { title owner { name } } task { title assignees { name } } } }
} }"""
RESOURCE_AVAILABILITY = """
query($resourceIds: [ID!]!, $start: DateTime!, $end: DateTime!) {
  resourceAvailability(resourceIds: $resourceIds, start: $start, end: $end) {
    resource { name kind } busy { start end bookingIds } free { start end }
  }
}"""
EVENTS = """
query($tag: String!) { events(filter: {search: $tag}, first: 100) {
  totalCount edges { node { title owner { name } team { name } community { name } parentEvent { title }
                            participants { rsvp user { name } } overrides { recurrenceId cancelled title } } }
} }"""
SHARE_LINKS = """
{ shareLinks(first: 100) { totalCount edges { node { name modules communityIds resourceIds active } } } }"""
PPAS = """
query($tag: String!) { ppas(filter: {search: $tag}, first: 40) {
  totalCount edges { node { title community { name } leadTeam { name } owner { name }
    needs { title } policies { title } milestones { title isOverdue ppa { title } }
    stages { stage ppa { title } } transitions { toStage actor { name } }
    tasks(first: 5) { totalCount edges { node { title assignees { name } teams { name } } } } } }
} }"""
NEEDS = """
query($tag: String!) { needs(filter: {search: $tag}, first: 100) {
  totalCount edges { node { title community { name } assessment { title } ppas { title owner { name } } } }
} }"""
ASSESSMENTS = """
query($tag: String!) { assessments(filter: {search: $tag}, first: 50) {
  totalCount edges { node { title community { name } leadTeam { name } owner { name } needs { title }
    tasks(first: 5) { totalCount edges { node { title assignees { name } } } } } }
} }"""
POLICIES = """
query($tag: String!) { policies(filter: {search: $tag}, first: 50) {
  totalCount edges { node { title community { name } owner { name } ppas { title }
    tasks(first: 5) { totalCount edges { node { title assignees { name } } } } } }
} }"""
NOTIFICATIONS = """
{ notifications(first: 100) { totalCount edges { node { kind title deliverAt read subjectType subjectId } } } }"""
CALENDAR = """
query($start: DateTime!, $end: DateTime!) { calendar(start: $start, end: $end) {
  entries { kind module title start end source { __typename
    ... on Event { title owner { name } participants { user { name } } }
    ... on Task { title assignees { name } ppa { title } }
    ... on Ppa { title owner { name } }
    ... on PpaMilestone { title ppa { title } }
    ... on PpaStage { stage ppa { title } }
    ... on Assessment { title owner { name } }
    ... on Booking { purpose resource { name } requestedBy { name } } } }
} }"""
PORTFOLIO = """
query($tag: String!) { portfolio(filter: {search: $tag}) {
  ppaCount budgetAllocated budgetApproved averageProgress atRiskCount stalledCount overdueMilestoneCount
  byStage { stage count } byStatus { status count } byCategory { category count }
  atRisk(first: 50) { totalCount edges { node { reasons overdueMilestones overdueTasks
                                                 ppa { title owner { name } community { name } } } } }
} }"""
PUBLIC_SERVICES = """
query($community: String!) { publicServices(community: $community) { name category community startsOn } }"""
NODES = """
query($ids: [ID!]!) { nodes(ids: $ids) { __typename
  ... on Task { title assignees { name } teams { name } ppa { title } }
  ... on Ppa { title owner { name } needs { title } milestones { title } }
} }"""
TYPENAME = "{ __typename }"


@dataclass
class World:
    """The rows one case builds on: a viewer, shared relations, and the rows seeded so far."""

    session: AsyncSession
    viewer: User
    tag: str  # in the searchable name of every seeded row; never in a fixture row's name
    people: list[int] = field(default_factory=list)
    team_ids: list[int] = field(default_factory=list)
    community_id: int = 0
    community_name: str = ""
    links: dict[str, int] = field(default_factory=dict)  # one row per linkable kind, for tasks
    resource_ids: list[int] = field(default_factory=list)
    node_ids: list[str] = field(default_factory=list)
    seeded: int = 0

    async def insert(self, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
        if not rows:
            return []
        if not hasattr(model, "id"):
            await self.session.execute(insert(model), rows)
            return []
        return list((await self.session.execute(insert(model).returning(model.id), rows)).scalars())

    def names(self, start: int, count: int) -> list[str]:
        return [f"{self.tag} {i:04d}" for i in range(start, start + count)]

    def person(self, i: int) -> int:
        return self.people[i % len(self.people)]

    def team(self, i: int) -> int:
        return self.team_ids[i % len(self.team_ids)]


def fixture_name(kind: str) -> str:
    return f"{kind} fixture {uuid.uuid4().hex[:8]}"


async def build_world(session: AsyncSession, viewer: User) -> World:
    world = World(session, viewer, f"qc{uuid.uuid4().hex[:8]}")
    world.people = await world.insert(User, [
        {"email": f"{fixture_name('p').replace(' ', '-')}@example.org", "name": fixture_name("Person"),
         "role": Role.STAFF, "password_hash": "x"} for _ in range(5)])
    world.team_ids = await world.insert(Team, [{"name": fixture_name("Team")} for _ in range(3)])
    await world.insert(TeamMembership, [{"team_id": t, "user_id": world.person(i)}
                                        for i, t in enumerate(world.team_ids)])
    world.community_name = fixture_name("Barangay")
    (world.community_id,) = await world.insert(Community, [{"name": world.community_name}])
    first = WINDOW_START.date()
    (assessment_id,) = await world.insert(Assessment, [{"title": fixture_name("Assessment"), "planning_on": first}])
    (policy_id,) = await world.insert(Policy, [{"title": fixture_name("Policy")}])
    (need_id,) = await world.insert(Need, [{"title": fixture_name("Need")}])
    (ppa_id,) = await world.insert(Ppa, [{"title": fixture_name("PPA"), "category": PpaCategory.PROJECT,
                                          "owner_id": world.person(0)}])
    (event_id,) = await world.insert(Event, [{"uid": f"{uuid.uuid4()}@qc", "title": fixture_name("Event"),
                                              "starts_at": WINDOW_START,
                                              "ends_at": WINDOW_START + timedelta(hours=1)}])
    (task_id,) = await world.insert(Task, [{"title": fixture_name("Task")}])
    world.links = {"assessment_id": assessment_id, "policy_id": policy_id, "need_id": need_id, "ppa_id": ppa_id,
                   "event_id": event_id, "community_id": world.community_id, "recurrence_parent_id": task_id}
    return world


def two_each(ids: list[int]) -> Iterator[tuple[int, int]]:
    """Each id twice, with consecutive picking indexes: two different people or teams per row."""
    for i, pk in enumerate(ids):
        yield 2 * i, pk
        yield 2 * i + 1, pk


# Seeding functions: each adds ``count`` rows (numbered from ``start``) with their nested relations.

async def add_tasks(w: World, start: int, count: int, **values: Any) -> list[int]:
    """Tasks with 2 assignees and a team each, linked in turn to each kind of object (at most one, by CHECK)."""
    kinds = [None, "ppa_id", "event_id", "assessment_id", "policy_id", "need_id", "community_id"]
    statuses, domains = list(TaskStatus), list(TaskDomain)
    rows = []
    for n, title in zip(range(start, start + count), w.names(start, count), strict=True):
        row: dict[str, Any] = {
            "title": title, "status": statuses[n % len(statuses)], "domain": domains[n % len(domains)],
            "due_at": NOW + timedelta(days=n % 40 - 10), "position": float(n), "estimated_hours": n % 7,
            "created_by_id": w.person(n), "recurrence_parent_id": w.links["recurrence_parent_id"] if n % 2 else None,
        }
        kind = kinds[n % len(kinds)]
        if kind:
            row[kind] = w.links[kind]
        rows.append(row | values)
    ids = await w.insert(Task, rows)
    await w.insert(TaskAssignee, [{"task_id": t, "user_id": w.person(i)} for i, t in two_each(ids)])
    await w.insert(TaskTeam, [{"task_id": t, "team_id": w.team(i)} for i, t in enumerate(ids)])
    return ids


async def seed_users(w: World, start: int, count: int) -> None:
    ids = await w.insert(User, [{"email": f"{name.replace(' ', '-')}@example.org", "name": name, "password_hash": "x"}
                                for name in w.names(start, count)])
    await w.insert(TeamMembership, [{"team_id": w.team(i), "user_id": u} for i, u in two_each(ids)])


async def seed_teams(w: World, start: int, count: int) -> None:
    ids = await w.insert(Team, [{"name": name} for name in w.names(start, count)])
    await w.insert(TeamMembership, [{"team_id": t, "user_id": w.person(i)} for i, t in two_each(ids)])


async def seed_communities(w: World, start: int, count: int) -> None:
    await w.insert(Community, [{"name": name, "code": name, "region": "Region XII", "population": 1000 + i}
                               for i, name in enumerate(w.names(start, count))])


async def seed_tasks(w: World, start: int, count: int) -> None:
    await add_tasks(w, start, count)


async def seed_task_templates(w: World, start: int, count: int) -> None:
    kinds = list(TemplateKind)
    ids = await w.insert(TaskTemplate, [{"name": name, "kind": kinds[i % len(kinds)]}
                                        for i, name in enumerate(w.names(start, count))])
    await w.insert(TaskTemplateItem, [{"template_id": t, "sequence": s, "title": f"Step {s}", "offset_days": s * 7}
                                      for t in ids for s in range(3)])


async def seed_bookings(w: World, start: int, count: int) -> None:
    """``count`` bookings in March 2041 over one new resource per 5 bookings, each with people and
    an event or a task (one linked object at most, by CHECK)."""
    w.resource_ids += await w.insert(Resource, [{"name": name, "kind": ResourceKind.VEHICLE}
                                                for name in w.names(start, max(1, count // 5))])
    event_ids = await w.insert(Event, [
        {"uid": f"{uuid.uuid4()}@qc", "title": fixture_name("Trip"), "starts_at": WINDOW_START,
         "ends_at": WINDOW_START + timedelta(hours=1), "owner_id": w.person(i)} for i in range(count)])
    task_ids = await add_tasks(w, start, count, title="Prepare vehicle")
    rows = []
    for i, n in enumerate(range(start, start + count)):
        slot = WINDOW_START + timedelta(hours=n)
        rows.append({"resource_id": w.resource_ids[n % len(w.resource_ids)], "starts_at": slot,
                     "ends_at": slot + timedelta(minutes=30), "blocked_from": slot,
                     "blocked_until": slot + timedelta(minutes=30), "status": BookingStatus.APPROVED,
                     "purpose": f"Trip {n}", "requested_by_id": w.person(n), "decided_by_id": w.viewer.id,
                     "event_id": event_ids[i] if n % 2 else None, "task_id": None if n % 2 else task_ids[i]})
    await w.insert(Booking, rows)


async def seed_events(w: World, start: int, count: int) -> None:
    ids = await w.insert(Event, [
        {"uid": f"{uuid.uuid4()}@qc", "title": name, "starts_at": WINDOW_START + timedelta(hours=i),
         "ends_at": WINDOW_START + timedelta(hours=i, minutes=30), "rrule": "FREQ=DAILY;COUNT=3",
         "owner_id": w.viewer.id, "team_id": w.team(i), "community_id": w.community_id,
         "parent_event_id": w.links["event_id"]} for i, name in enumerate(w.names(start, count))])
    await w.insert(EventParticipant, [{"event_id": e, "user_id": w.person(i)} for i, e in two_each(ids)])
    await w.insert(EventOverride, [
        {"event_id": e, "recurrence_id": WINDOW_START + timedelta(hours=i, days=1), "cancelled": True}
        for i, e in enumerate(ids)])


async def seed_share_links(w: World, start: int, count: int) -> None:
    await w.insert(ShareLink, [
        {"owner_id": w.viewer.id, "name": name, "token_hash": uuid.uuid4().hex, "modules": ["TASKS"],
         "community_ids": [w.community_id], "resource_ids": []} for name in w.names(start, count)])


async def seed_ppas(w: World, start: int, count: int, **values: Any) -> list[int]:
    """PPAs with a community, team, owner, 2 milestones (one overdue), a need, a policy, a stage,
    a transition and 2 tasks with assignees and a team."""
    ids = await w.insert(Ppa, [
        {"title": name, "category": PpaCategory.PROJECT, "community_id": w.community_id, "lead_team_id": w.team(i),
         "owner_id": w.person(i), "budget_allocated": 1000 + i, "starts_on": date(2041, 3, 1 + i % 28),
         "ends_on": date(2041, 12, 1)} | values for i, name in enumerate(w.names(start, count))])
    today = NOW.date()
    await w.insert(PpaMilestone, [{"ppa_id": p, "title": title, "due_on": due} for p in ids
                                  for title, due in (("Design", today - timedelta(days=30)),
                                                     ("Handover", date(2041, 3, 20)))])
    need_ids = await w.insert(Need, [{"title": fixture_name("Need")} for _ in ids])
    await w.insert(PpaNeed, [{"ppa_id": p, "need_id": n} for p, n in zip(ids, need_ids, strict=True)])
    await w.insert(PpaPolicy, [{"ppa_id": p, "policy_id": w.links["policy_id"]} for p in ids])
    await w.insert(PpaStageSchedule, [
        {"ppa_id": p, "kind": TransitionKind.STAGE, "stage": "PLANNING", "starts_on": date(2041, 3, 5),
         "ends_on": date(2041, 3, 9)} for p in ids])
    await w.insert(PpaTransition, [{"ppa_id": p, "kind": TransitionKind.STAGE, "to_stage": "PLANNING",
                                    "actor_id": w.viewer.id} for p in ids])
    tasks = await w.insert(Task, [{"title": fixture_name("PPA task"), "ppa_id": p, "due_at": NOW - timedelta(days=3)}
                                  for p in ids for _ in range(2)])
    await w.insert(TaskAssignee, [{"task_id": t, "user_id": w.person(i)} for i, t in enumerate(tasks)])
    await w.insert(TaskTeam, [{"task_id": t, "team_id": w.team(i)} for i, t in enumerate(tasks)])
    return ids


async def seed_ppa_rows(w: World, start: int, count: int) -> None:
    await seed_ppas(w, start, count)


async def seed_public_services(w: World, start: int, count: int) -> None:
    await seed_ppas(w, start, count, stage=PpaStage.IMPLEMENTATION)


async def seed_nodes(w: World, start: int, count: int) -> None:
    """Half tasks, half PPAs: ``nodes`` takes at most 500 ids (``QueryLimits.max_list_items``)."""
    half = count // 2
    w.node_ids += [to_global_id("Task", pk) for pk in await add_tasks(w, start, half)]
    w.node_ids += [to_global_id("Ppa", pk) for pk in await seed_ppas(w, start + half, count - half)]


async def seed_needs(w: World, start: int, count: int) -> None:
    ids = await w.insert(Need, [{"title": name, "community_id": w.community_id,
                                 "assessment_id": w.links["assessment_id"]} for name in w.names(start, count)])
    await w.insert(PpaNeed, [{"ppa_id": w.links["ppa_id"], "need_id": n} for n in ids])


async def seed_assessments(w: World, start: int, count: int) -> None:
    ids = await w.insert(Assessment, [{"title": name, "community_id": w.community_id, "lead_team_id": w.team(i),
                                       "owner_id": w.person(i)} for i, name in enumerate(w.names(start, count))])
    await w.insert(Need, [{"title": fixture_name("Need"), "assessment_id": a} for a in ids])
    tasks = await w.insert(Task, [{"title": fixture_name("Survey"), "assessment_id": a} for a in ids])
    await w.insert(TaskAssignee, [{"task_id": t, "user_id": w.person(i)} for i, t in enumerate(tasks)])


async def seed_policies(w: World, start: int, count: int) -> None:
    ids = await w.insert(Policy, [{"title": name, "community_id": w.community_id, "owner_id": w.person(i)}
                                  for i, name in enumerate(w.names(start, count))])
    await w.insert(PpaPolicy, [{"ppa_id": w.links["ppa_id"], "policy_id": p} for p in ids])
    tasks = await w.insert(Task, [{"title": fixture_name("Review"), "policy_id": p} for p in ids])
    await w.insert(TaskAssignee, [{"task_id": t, "user_id": w.person(i)} for i, t in enumerate(tasks)])


async def seed_notifications(w: World, start: int, count: int) -> None:
    await w.insert(Notification, [
        {"user_id": w.viewer.id, "kind": "TASK_DUE", "title": name, "subject_type": "Task",
         "subject_id": w.links["recurrence_parent_id"], "dedupe_key": f"{name}-{uuid.uuid4().hex}",
         "deliver_at": NOW - timedelta(minutes=i + 1)} for i, name in enumerate(w.names(start, count))])


async def seed_calendar(w: World, start: int, count: int) -> None:
    """``count`` rows of every calendar source in March 2041: events, tasks, bookings, PPAs (with milestones
    and stages) and assessments."""
    await seed_events(w, start, count)
    await add_tasks(w, start, count, due_at=WINDOW_START + timedelta(days=3))
    await seed_bookings(w, start, count)
    await seed_ppas(w, start, count)
    await w.insert(Assessment, [{"title": name, "owner_id": w.person(i), "planning_on": date(2041, 3, 10)}
                                for i, name in enumerate(w.names(start, count))])


# What each case sends and what its response must show.

Variables = Callable[[World], dict[str, Any]]
Extract = Callable[[dict[str, Any]], int]


def by_tag(w: World) -> dict[str, Any]:
    return {"tag": w.tag}


def by_resources(w: World) -> dict[str, Any]:
    return {"resourceIds": [to_global_id("Resource", pk) for pk in w.resource_ids]}


def no_variables(_: World) -> dict[str, Any]:
    return {}


def edges(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in data["edges"]]


@dataclass(frozen=True)
class Case:
    query: str
    seed: Callable[[World, int, int], Awaitable[None]]
    variables: Variables
    rows: Extract  # top-level items answered: must grow from the 10-row to the 500-row request
    nested: Extract  # nested relation items answered: must be non-zero


def page(name: str) -> Extract:
    return lambda data: len(data[name]["edges"])


def nested_total(name: str, *relations: str) -> Extract:
    def count(data: dict[str, Any]) -> int:
        return sum(len(node[r]) if isinstance(node[r], list) else int(node[r] is not None)
                   for node in edges(data[name]) for r in relations)
    return count


def board_cards(data: dict[str, Any]) -> int:
    return sum(len(column["tasks"]) for column in data["board"]["columns"])


def board_assignees(data: dict[str, Any]) -> int:
    return sum(len(card["assignees"]) for column in data["board"]["columns"] for card in column["tasks"])


def analytics_rows(data: dict[str, Any]) -> int:
    return int(data["taskAnalytics"]["summary"]["count"])


def analytics_people(data: dict[str, Any]) -> int:
    analytics = data["taskAnalytics"]
    return sum(1 for row in analytics["byAssignee"] if row["user"]) + len(analytics["byTeam"])


def busy_blocks(data: dict[str, Any]) -> int:
    return sum(len(item["busy"]) for item in data["resourceAvailability"])


def availability_resources(data: dict[str, Any]) -> int:
    return sum(1 for item in data["resourceAvailability"] if item["resource"]["name"])


def resource_bookings(data: dict[str, Any]) -> int:
    return sum(len(edges(node["bookings"])) for node in edges(data["resources"]))


def ppa_nested(data: dict[str, Any]) -> int:
    return sum(len(n["needs"]) + len(n["milestones"]) + len(n["stages"]) + len(n["transitions"])
               + sum(len(t["assignees"]) for t in edges(n["tasks"])) for n in edges(data["ppas"]))


def nested_tasks(name: str) -> Extract:
    return lambda data: sum(len(t["assignees"]) for n in edges(data[name]) for t in edges(n["tasks"]))


def calendar_entries(data: dict[str, Any]) -> int:
    return len(data["calendar"]["entries"])


def calendar_kinds(data: dict[str, Any]) -> int:
    return len({entry["source"]["__typename"] for entry in data["calendar"]["entries"]})


def portfolio_ppas(data: dict[str, Any]) -> int:
    return int(data["portfolio"]["ppaCount"])


def portfolio_at_risk(data: dict[str, Any]) -> int:
    return sum(1 for n in edges(data["portfolio"]["atRisk"]) if n["ppa"]["owner"])


CASES: dict[str, Case] = {
    "users": Case(USERS, seed_users, by_tag, page("users"), nested_total("users", "teams")),
    "teams": Case(TEAMS, seed_teams, by_tag, page("teams"), nested_total("teams", "members")),
    "communities": Case(COMMUNITIES, seed_communities, by_tag, page("communities"),
                        nested_total("communities", "code")),
    "tasks": Case(TASKS, seed_tasks, by_tag, page("tasks"),
                  nested_total("tasks", "assignees", "teams", "ppa", "event", "need", "recurrenceParent")),
    "board": Case(BOARD, seed_tasks, by_tag, board_cards, board_assignees),
    "taskAnalytics": Case(TASK_ANALYTICS, seed_tasks, by_tag, analytics_rows, analytics_people),
    "taskTemplates": Case(TASK_TEMPLATES, seed_task_templates, by_tag, page("taskTemplates"),
                          nested_total("taskTemplates", "items")),
    "resources": Case(RESOURCES, seed_bookings, by_tag, page("resources"), resource_bookings),
    "bookings": Case(BOOKINGS, seed_bookings, by_resources, page("bookings"),
                     nested_total("bookings", "resource", "requestedBy", "event", "task")),
    "resourceAvailability": Case(RESOURCE_AVAILABILITY, seed_bookings, lambda w: by_resources(w) | WINDOW,
                                 busy_blocks, availability_resources),
    "events": Case(EVENTS, seed_events, by_tag, page("events"),
                   nested_total("events", "owner", "team", "parentEvent", "participants", "overrides")),
    "shareLinks": Case(SHARE_LINKS, seed_share_links, no_variables, page("shareLinks"),
                       nested_total("shareLinks", "communityIds")),
    "ppas": Case(PPAS, seed_ppa_rows, by_tag, page("ppas"), ppa_nested),
    "needs": Case(NEEDS, seed_needs, by_tag, page("needs"), nested_total("needs", "assessment", "ppas")),
    "assessments": Case(ASSESSMENTS, seed_assessments, by_tag, page("assessments"), nested_tasks("assessments")),
    "policies": Case(POLICIES, seed_policies, by_tag, page("policies"), nested_tasks("policies")),
    "notifications": Case(NOTIFICATIONS, seed_notifications, no_variables, page("notifications"),
                          nested_total("notifications", "subjectId")),
    "calendar": Case(CALENDAR, seed_calendar, lambda _: WINDOW, calendar_entries, calendar_kinds),
    "portfolio": Case(PORTFOLIO, seed_ppa_rows, by_tag, portfolio_ppas, portfolio_at_risk),
    "nodes": Case(NODES, seed_nodes, lambda w: {"ids": w.node_ids}, lambda data: len(data["nodes"]),
                  lambda data: sum(len(n.get("assignees", n.get("milestones"))) for n in data["nodes"])),
    "publicServices": Case(PUBLIC_SERVICES, seed_public_services, lambda w: {"community": w.community_name},
                           lambda data: len(data["publicServices"]), lambda data: int(bool(data["publicServices"]))),
}


@dataclass(frozen=True)
class Measured:
    statements: int  # everything db.statements.counting saw during the request
    data: int  # without the harness's savepoint statements and the token lookup
    rows: int
    nested: int


HARNESS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@contextmanager
def queries_run(engine: AsyncEngine) -> Iterator[list[str]]:
    """The statements other than the test harness's savepoint handling, as they run."""
    texts: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith(HARNESS):
            texts.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield texts
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


MEASURED: dict[str, dict[int, Measured]] = {}


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    yield
    if not MEASURED:
        return
    lines = [f"{'field':<22}{'rows':>6}{'stmts@10':>10}{'stmts@500':>11}{'data@10':>9}{'data@500':>10}"]
    for name, by_size in MEASURED.items():
        small, large = (by_size.get(size) for size in SIZES)
        if small is None or large is None:
            continue
        lines.append(f"{name:<22}{large.rows:>6}{small.statements:>10}{large.statements:>11}"
                     f"{small.data:>9}{large.data:>10}")
    print("\nSQL statements per request at 10 and 500 seeded rows (rows = top-level items answered at 500;")
    print("data = the same without SAVEPOINT/RELEASE/ROLLBACK TO statements and the bearer-token user lookup)")
    print("\n".join(lines))


async def measure(gql: GraphQL, engine: AsyncEngine, case: Case, world: World) -> Measured:
    with queries_run(engine) as overhead:
        assert "errors" not in await gql(TYPENAME, user=world.viewer)
    with queries_run(engine) as queries, counting() as counter:
        body = await gql(case.query, case.variables(world), user=world.viewer)
    assert "errors" not in body, body["errors"]
    return Measured(counter.count, len(queries) - len(overhead), case.rows(body["data"]), case.nested(body["data"]))


@pytest.fixture
async def world(session: AsyncSession, make_user: UserFactory) -> AsyncIterator[World]:
    yield await build_world(session, await make_user(Role.MANAGER))


@pytest.mark.parametrize("name", list(CASES))
async def test_statement_count_is_the_same_for_10_and_500_rows(
    name: str, world: World, gql: GraphQL, engine: AsyncEngine
) -> None:
    case = CASES[name]
    results: dict[int, Measured] = {}
    for size in SIZES:
        await case.seed(world, world.seeded, size - world.seeded)
        world.seeded = size
        results[size] = await measure(gql, engine, case, world)
    MEASURED[name] = results

    small, large = results[SIZES[0]], results[SIZES[1]]
    assert small.rows > 0 and large.rows > small.rows, (name, small, large)
    assert small.nested > 0 and large.nested > 0, (name, small, large)
    assert small.statements == large.statements, (
        f"{name}: {small.statements} statements at {SIZES[0]} rows, {large.statements} at {SIZES[1]}")
