"""API keys scoped to teams: the key's viewer reads only what belongs to its teams (each policy's
``in_teams``, ANDed into ``readable`` for every read path) and its webhooks deliver only those
changes; a key without teams reads as before."""
from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import BookingStatus, PpaCategory, ResourceKind, Role
from db.models import ApiKey, Booking, Event, Ppa, Resource, Task, TaskTeam, Team, User
from jobs.webhooks import deliver_webhooks
from schema.core.ids import to_global_id
from tests.conftest import GraphQL, UserFactory
from tests.partner.conftest import CREATE_HOOK, CREATE_KEY, MakeKey, number_changes
from tests.policy.leaks import PATHS, secret_marker, seen

START = datetime(2034, 2, 6, 9, tzinfo=UTC)
MODULES = ["PROJECTS", "TASKS", "CALENDAR", "RESOURCES", "DIRECTORY"]
LISTS = {
    "ppas": "{ ppas(first: 100) { edges { node { title milestones { title } } } } }",
    "tasks": "{ tasks(first: 100) { edges { node { title } } } }",
    "board": "{ board { columns { tasks { title } } } }",
    "portfolio": "{ portfolio { ppaCount atRisk { edges { node { ppa { title } } } } } }",
    "events": """query { events(first: 100, filter: {start: "2034-02-01T00:00:00Z", end: "2034-03-01T00:00:00Z"}) {
        edges { node { title } } } }""",
    "calendar": """{ calendar(start: "2034-02-01T00:00:00Z", end: "2034-03-01T00:00:00Z") { entries { title } } }""",
    "bookings": "{ bookings(first: 100) { edges { node { purpose } } } }",
    "teams": "{ teams(first: 100) { edges { node { name } } } }",
}
NODE = """query($id: ID!) { node(id: $id) { id ... on Ppa { title } ... on Task { title } ... on Event { title }
  ... on Booking { purpose } ... on Team { name } } }"""
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Ppa { title } ... on Task { title } } }"
UPDATE_PPA = """mutation($id: ID!, $v: Int!, $title: String!) { updatePpa(input: {id: $id, expectedVersion: $v,
  title: $title}) { errors { code } } }"""


@dataclass
class TeamRecords:
    team: Team
    marker: str
    ppa: Ppa
    task: Task
    ppa_task: Task
    event: Event
    booking: Booking

    def ids(self) -> list[str]:
        return [to_global_id(t, pk) for t, pk in (("Ppa", self.ppa.id), ("Task", self.task.id),
                                                  ("Task", self.ppa_task.id), ("Event", self.event.id),
                                                  ("Booking", self.booking.id), ("Team", self.team.id))]


async def team_records(session: AsyncSession, resource: Resource, slot: int) -> TeamRecords:
    marker = secret_marker()
    team = Team(name=f"Team {marker}")
    session.add(team)
    await session.flush()
    at = START + timedelta(days=slot)
    ppa = Ppa(title=f"Road {marker}", category=PpaCategory.PROJECT, lead_team_id=team.id,
              stage_entered_at=datetime(2020, 1, 1, tzinfo=UTC))
    event = Event(uid=f"{uuid.uuid4()}@teams", title=f"Meeting {marker}", team_id=team.id, starts_at=at,
                  ends_at=at + timedelta(hours=1))
    task = Task(title=f"Survey {marker}", position=1.0, due_at=at)
    session.add_all([ppa, event, task])
    await session.flush()
    ppa_task = Task(title=f"Culverts {marker}", position=2.0, ppa_id=ppa.id, due_at=at)
    booking = Booking(resource_id=resource.id, starts_at=at, ends_at=at + timedelta(hours=1), blocked_from=at,
                      blocked_until=at + timedelta(hours=1), status=BookingStatus.APPROVED,
                      purpose=f"Vehicle {marker}", event_id=event.id)
    session.add_all([ppa_task, booking, TaskTeam(task_id=task.id, team_id=team.id)])
    await session.flush()
    return TeamRecords(team, marker, ppa, task, ppa_task, event, booking)


@dataclass
class World:
    a: TeamRecords
    b: TeamRecords
    manager: User


@pytest.fixture
async def world(session: AsyncSession, make_user: UserFactory) -> World:
    resource = Resource(name=f"Van {uuid.uuid4().hex[:6]}", kind=ResourceKind.VEHICLE)
    session.add(resource)
    await session.flush()
    return World(await team_records(session, resource, 0), await team_records(session, resource, 1),
                 await make_user(Role.MANAGER))


PATHS.extend((f"API key scoped to teams: {path}", "Ppa/Task/Event/Booking/Team", 2)
             for path in [*LISTS, "node", "nodes", "webhooks"])


async def test_a_key_scoped_to_a_team_reads_only_that_teams_records(
    world: World, make_key: MakeKey, as_key: Any
) -> None:
    scoped = await make_key(MODULES, team_ids=[to_global_id("Team", world.a.team.id)])
    unscoped = await make_key(MODULES)
    for path, query in LISTS.items():
        mine, everyone = await as_key(scoped, query), await as_key(unscoped, query)
        assert "errors" not in mine and "errors" not in everyone, (path, mine, everyone)
        assert seen(world.a.marker, mine), (path, mine)
        assert not seen(world.b.marker, mine), (path, mine)
        assert seen(world.a.marker, everyone) and seen(world.b.marker, everyone), (path, everyone)


async def test_a_scoped_key_gets_nothing_of_another_team_by_id(world: World, make_key: MakeKey, as_key: Any) -> None:
    scoped = await make_key(MODULES, team_ids=[to_global_id("Team", world.a.team.id)])
    unscoped = await make_key(MODULES)
    for gid in world.b.ids():
        refused = await as_key(scoped, NODE, {"id": gid})
        assert refused["data"]["node"] is None, (gid, refused)
        assert (await as_key(unscoped, NODE, {"id": gid}))["data"]["node"] is not None, gid
    for gid in world.a.ids():
        assert (await as_key(scoped, NODE, {"id": gid}))["data"]["node"] is not None, gid
    both = await as_key(scoped, NODES, {"ids": [to_global_id("Ppa", world.a.ppa.id), to_global_id("Ppa", world.b.ppa.id),
                                                to_global_id("Task", world.b.task.id)]})
    assert seen(world.a.marker, both) and not seen(world.b.marker, both)
    assert both["data"]["nodes"][1:] == [None, None]


async def test_a_key_is_scoped_only_to_teams_that_exist_and_shows_them(
    gql: GraphQL, world: World, admin: User, session: AsyncSession
) -> None:
    async def create(team_ids: list[str]) -> dict[str, Any]:
        body = await gql(CREATE_KEY, {"input": {"name": "x", "modules": ["TASKS"], "teamIds": team_ids}}, user=admin)
        result: dict[str, Any] = body["data"]["createApiKey"]
        return result

    assert [(e["code"], e["field"]) for e in (await create([]))["errors"]] == [("VALIDATION", "input.teamIds")]
    missing = await create([to_global_id("Team", 2_000_000_000)])
    assert [(e["code"], e["field"]) for e in missing["errors"]] == [("NOT_FOUND", "input.teamIds")]
    assert (await create(["not-an-id"]))["errors"][0]["field"] == "input.teamIds"
    made = await create([to_global_id("Team", world.a.team.id)])
    assert made["errors"] == []
    listed = await gql("{ apiKeys(first: 100) { edges { node { prefix teams { name } } } } }", user=admin)
    teams = {e["node"]["prefix"]: e["node"]["teams"] for e in listed["data"]["apiKeys"]["edges"]}
    assert teams[made["apiKey"]["prefix"]] == [{"name": world.a.team.name}]
    row = await session.scalar(select(ApiKey).where(ApiKey.prefix == made["apiKey"]["prefix"]))
    assert row is not None and row.team_ids == [world.a.team.id]


@pytest.fixture
def job(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    return {"sessionmaker": sessionmaker}


async def test_webhooks_of_a_scoped_key_deliver_only_its_teams_changes(
    gql: GraphQL, world: World, make_key: MakeKey, admin: User, session: AsyncSession, job: dict[str, Any]
) -> None:
    await number_changes(session)  # earlier rows fall below the new webhooks' starting point
    hooks: dict[str, str] = {}
    for name, teams in (("scoped", [to_global_id("Team", world.a.team.id)]), ("unscoped", None)):
        key = await make_key(["PROJECTS", "TASKS"], team_ids=teams)
        body = await gql(CREATE_HOOK, {"input": {"apiKeyId": key.id, "url": f"https://{name}.example.org/hook",
                                                 "entityTypes": ["Ppa"]}}, user=admin)
        assert body["data"]["createWebhook"]["errors"] == [], body
        hooks[f"https://{name}.example.org/hook"] = name
    for ppa in (world.a.ppa, world.b.ppa):
        body = await gql(UPDATE_PPA, {"id": to_global_id("Ppa", ppa.id), "v": ppa.version, "title": "Renamed"},
                         user=world.manager)
        assert body["data"]["updatePpa"]["errors"] == [], body
    await number_changes(session)
    received: dict[str, set[int]] = {"scoped": set(), "unscoped": set()}

    async def capture(url: str, body: bytes, headers: dict[str, str]) -> int:
        entity = base64.b64decode(json.loads(body)["entityId"]).decode()
        received[hooks[url]].add(int(entity.split(":")[1]))
        return 204

    await deliver_webhooks({**job, "webhook_sender": capture})
    assert received["scoped"] == {world.a.ppa.id}
    assert received["unscoped"] == {world.a.ppa.id, world.b.ppa.id}
