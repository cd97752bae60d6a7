"""calendar(start, end, ...): every source, stable ids, filters, visibility, the window limit."""
from __future__ import annotations

import base64
from datetime import UTC, date, datetime

from db.enums import CalendarModule, Role, TemplateKind, Visibility
from schema.core.ids import to_global_id
from tests.calendar import factories as make
from tests.conftest import GraphQL, UserFactory

CALENDAR = """
query Cal($start: DateTime!, $end: DateTime!, $modules: [CalendarModule!], $resourceIds: [ID!],
          $assigneeIds: [ID!], $communityIds: [ID!]) {
  calendar(start: $start, end: $end, modules: $modules, resourceIds: $resourceIds, assigneeIds: $assigneeIds,
           communityIds: $communityIds) {
    start end
    entries { id kind module title start end allDay timezone recurrenceId }
  }
}
"""
SOURCES = """
query Cal($start: DateTime!, $end: DateTime!) {
  calendar(start: $start, end: $end) {
    entries { kind source { __typename ... on Event { title } ... on Task { title } ... on Ppa { title }
                            ... on PpaMilestone { title } ... on PpaStage { stage } ... on Assessment { title }
                            ... on Booking { purpose } } }
  }
}
"""
MARCH = {"start": "2026-03-01T00:00:00Z", "end": "2026-04-01T00:00:00Z"}


def at(day: int, hour: int = 9, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def raw_id(entry_id: str) -> str:
    return base64.b64decode(entry_id).decode()


async def entries(gql: GraphQL, user: object, **variables: object) -> list[dict[str, object]]:
    body = await gql(CALENDAR, {**MARCH, **variables}, user=user)
    assert "errors" not in body, body
    return body["data"]["calendar"]["entries"]


async def test_every_source_appears_once_with_stable_kinds(gql: GraphQL, make_user: UserFactory, session) -> None:
    user = await make_user()
    weekly = await make.event(session, at(2, 9), 30, title="Weekly", rrule="FREQ=WEEKLY;COUNT=3", timezone="UTC")
    task = await make.task(session, at(10, 17), title="Send minutes")
    project = await make.ppa(session, date(2026, 3, 5), date(2026, 3, 25), title="Water system")
    milestone = await make.milestone(session, project.id, date(2026, 3, 15))
    hearing = await make.stage(session, project.id, date(2026, 3, 20), date(2026, 3, 21))
    survey = await make.assessment(session, date(2026, 3, 3), title="Survey")
    van = await make.resource(session)
    trip = await make.booking(session, van.id, at(12, 8), 120, purpose="Site visit")

    found = await entries(gql, user)

    assert [(raw_id(e["id"]), e["kind"], e["module"], e["title"], e["start"], e["end"], e["allDay"]) for e in found] == [
        (f"Event:{weekly.id}:2026-03-02T09:00:00Z", "EVENT", "COORDINATION", "Weekly", "2026-03-02T09:00:00+00:00", "2026-03-02T09:30:00+00:00", False),
        (f"AssessmentPlanning:{survey.id}", "ASSESSMENT_MILESTONE", "MANA", "Survey: planning", "2026-03-03T00:00:00+00:00", "2026-03-04T00:00:00+00:00", True),
        (f"PpaStart:{project.id}", "PPA_START", "PROJECTS", "Water system starts", "2026-03-05T00:00:00+00:00", "2026-03-06T00:00:00+00:00", True),
        (f"Event:{weekly.id}:2026-03-09T09:00:00Z", "EVENT", "COORDINATION", "Weekly", "2026-03-09T09:00:00+00:00", "2026-03-09T09:30:00+00:00", False),
        (f"AssessmentDataCollection:{survey.id}", "ASSESSMENT_MILESTONE", "MANA", "Survey: data collection", "2026-03-10T00:00:00+00:00", "2026-03-11T00:00:00+00:00", True),
        (f"TaskDue:{task.id}", "TASK_DUE", "TASKS", "Send minutes", "2026-03-10T17:00:00+00:00", None, False),
        (f"Booking:{trip.id}", "BOOKING", "RESOURCES", f"{van.name}: Site visit", "2026-03-12T08:00:00+00:00", "2026-03-12T10:00:00+00:00", False),
        (f"PpaMilestone:{milestone.id}", "PPA_MILESTONE", "PROJECTS", "Water system: Design approved", "2026-03-15T00:00:00+00:00", "2026-03-16T00:00:00+00:00", True),
        (f"Event:{weekly.id}:2026-03-16T09:00:00Z", "EVENT", "COORDINATION", "Weekly", "2026-03-16T09:00:00+00:00", "2026-03-16T09:30:00+00:00", False),
        (f"AssessmentAnalysis:{survey.id}", "ASSESSMENT_MILESTONE", "MANA", "Survey: analysis", "2026-03-17T00:00:00+00:00", "2026-03-18T00:00:00+00:00", True),
        (f"PpaStage:{hearing.id}", "PPA_STAGE", "PROJECTS", "Water system: Budget hearing", "2026-03-20T00:00:00+00:00", "2026-03-22T00:00:00+00:00", True),
        (f"AssessmentReport:{survey.id}", "ASSESSMENT_MILESTONE", "MANA", "Survey: report", "2026-03-24T00:00:00+00:00", "2026-03-25T00:00:00+00:00", True),
        (f"PpaEnd:{project.id}", "PPA_END", "PROJECTS", "Water system ends", "2026-03-25T00:00:00+00:00", "2026-03-26T00:00:00+00:00", True),
    ]
    assert [e["recurrenceId"] for e in found if e["kind"] == "EVENT"] == [
        "2026-03-02T09:00:00+00:00", "2026-03-09T09:00:00+00:00", "2026-03-16T09:00:00+00:00"]


async def test_source_resolves_each_union_member(gql: GraphQL, make_user: UserFactory, session) -> None:
    user = await make_user()
    await make.event(session, at(2), title="Kickoff")
    await make.task(session, at(3), title="Draft")
    project = await make.ppa(session, date(2026, 3, 4), date(2026, 5, 1), title="Road")
    await make.milestone(session, project.id, date(2026, 3, 5))
    await make.stage(session, project.id, date(2026, 3, 6), date(2026, 3, 6))
    await make.assessment(session, date(2026, 3, 7), title="Survey")
    await make.booking(session, (await make.resource(session)).id, at(30), purpose="Trip")

    body = await gql(SOURCES, MARCH, user=user)

    sources = [(e["kind"], e["source"]) for e in body["data"]["calendar"]["entries"]]
    assert sources[:6] == [
        ("EVENT", {"__typename": "Event", "title": "Kickoff"}),
        ("TASK_DUE", {"__typename": "Task", "title": "Draft"}),
        ("PPA_START", {"__typename": "Ppa", "title": "Road"}),
        ("PPA_MILESTONE", {"__typename": "PpaMilestone", "title": "Design approved"}),
        ("PPA_STAGE", {"__typename": "PpaStage", "stage": "BUDGET_HEARING"}),
        ("ASSESSMENT_MILESTONE", {"__typename": "Assessment", "title": "Survey"}),
    ]
    assert sources[-1] == ("BOOKING", {"__typename": "Booking", "purpose": "Trip"})


async def test_entry_ids_are_stable_across_windows(gql: GraphQL, make_user: UserFactory, session) -> None:
    user = await make_user()
    await make.event(session, at(2, 9), 30, rrule="FREQ=DAILY;COUNT=20", timezone="Europe/Berlin")
    await make.task(session, at(10, 12))

    wide = await entries(gql, user)
    narrow = await entries(gql, user, start="2026-03-09T12:00:00Z", end="2026-03-11T00:00:00Z")

    wide_by_start = {(e["kind"], e["start"]): e["id"] for e in wide}
    assert [e["kind"] for e in narrow] == ["EVENT", "TASK_DUE"]  # the 10th's stand-up (08:00 UTC), the task
    assert all(wide_by_start[(e["kind"], e["start"])] == e["id"] for e in narrow)


async def test_task_linked_to_an_event_is_not_a_separate_entry(gql: GraphQL, make_user: UserFactory, session) -> None:
    user = await make_user()
    meeting = await make.event(session, at(5), title="Q1 coordination")
    await make.task(session, at(4), title="Prepare agenda", event_id=meeting.id)
    await make.task(session, at(4, 12), title="Unlinked")

    found = await entries(gql, user)

    assert [(e["kind"], e["title"]) for e in found] == [("TASK_DUE", "Unlinked"), ("EVENT", "Q1 coordination")]


async def test_private_events_stay_private(gql: GraphQL, make_user: UserFactory, session) -> None:
    owner = await make_user(name="Owner")
    guest = await make_user(name="Guest")
    other = await make_user(Role.ADMIN, name="Admin")
    secret = await make.event(session, at(6), title="Review", visibility=Visibility.PRIVATE, owner_id=owner.id,
                              participants=(guest.id,))
    await make.event(session, at(7), title="All hands", owner_id=owner.id)
    node = 'query N($id: ID!) { node(id: $id) { ... on Event { title } } }'
    events = '{ events(filter: {start: "2026-03-01T00:00:00Z", end: "2026-04-01T00:00:00Z"}) { totalCount edges { node { title } } } }'

    seen = {u.name: [e["title"] for e in await entries(gql, u)] for u in (owner, guest, other)}
    nodes = {u.name: (await gql(node, {"id": to_global_id("Event", secret.id)}, user=u))["data"]["node"]
             for u in (owner, guest, other)}
    listed = (await gql(events, user=other))["data"]["events"]

    assert seen == {"Owner": ["Review", "All hands"], "Guest": ["Review", "All hands"], "Admin": ["All hands"]}
    assert nodes == {"Owner": {"title": "Review"}, "Guest": {"title": "Review"}, "Admin": None}
    assert listed == {"totalCount": 1, "edges": [{"node": {"title": "All hands"}}]}


async def test_window_limits_are_validation_errors(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()

    too_long = await gql(CALENDAR, {"start": "2026-01-01T00:00:00Z", "end": "2027-03-01T00:00:00Z"}, user=user)
    backwards = await gql(CALENDAR, {"start": "2026-03-02T00:00:00Z", "end": "2026-03-01T00:00:00Z"}, user=user)

    assert too_long["data"] is None and backwards["data"] is None
    assert too_long["errors"][0]["extensions"]["code"] == "VALIDATION"
    assert too_long["errors"][0]["message"] == "The window may span at most 400 days."
    assert backwards["errors"][0]["extensions"]["code"] == "VALIDATION"
    assert backwards["errors"][0]["message"] == "The window must end after it starts."


async def test_module_filter(gql: GraphQL, make_user: UserFactory, session) -> None:
    user = await make_user()
    await make.event(session, at(2), title="Assembly", module=CalendarModule.COMMUNITY)
    await make.event(session, at(3), title="Coordination")
    await make.task(session, at(4), title="Task")
    await make.ppa(session, date(2026, 3, 5), date(2026, 9, 1), title="Road")

    found = await entries(gql, user, modules=["COMMUNITY", "TASKS"])

    assert [(e["module"], e["title"]) for e in found] == [("COMMUNITY", "Assembly"), ("TASKS", "Task")]


async def test_assignee_filter(gql: GraphQL, make_user: UserFactory, session) -> None:
    user = await make_user()
    ana = await make_user(name="Ana")
    await make.task(session, at(2), title="Ana's task", assignees=(ana.id,))
    await make.task(session, at(3), title="Someone else's", assignees=(user.id,))
    await make.event(session, at(4), title="Ana attends", participants=(ana.id,))
    await make.event(session, at(5), title="Ana absent")

    found = await entries(gql, user, assigneeIds=[to_global_id("User", ana.id)])

    assert [e["title"] for e in found] == ["Ana's task", "Ana attends"]


async def test_community_filter(gql: GraphQL, make_user: UserFactory, session) -> None:
    user = await make_user()
    north, south = await make.community(session), await make.community(session)
    await make.event(session, at(2), title="North assembly", community_id=north.id)
    await make.event(session, at(3), title="South assembly", community_id=south.id)
    project = await make.ppa(session, date(2026, 3, 4), date(2026, 9, 1), title="North road", community_id=north.id)
    await make.task(session, at(5), title="Road task", ppa_id=project.id)
    await make.assessment(session, date(2026, 3, 6), title="South survey", community_id=south.id)

    found = await entries(gql, user, communityIds=[to_global_id("Community", north.id)])

    assert [e["title"] for e in found] == ["North assembly", "North road starts", "Road task"]


async def test_resource_filter(gql: GraphQL, make_user: UserFactory, session) -> None:
    user = await make_user()
    van, room = await make.resource(session), await make.resource(session)
    trip = await make.event(session, at(2), title="Field trip")
    await make.event(session, at(3), title="Other meeting")
    await make.booking(session, van.id, at(2), event_id=trip.id, purpose="Trip")
    await make.booking(session, room.id, at(4), purpose="Workshop")
    await make.task(session, at(5), title="Task")

    found = await entries(gql, user, resourceIds=[to_global_id("Resource", van.id)])

    assert [(e["kind"], e["title"]) for e in found] == [("EVENT", "Field trip"), ("BOOKING", f"{van.name}: Trip")]


async def test_overrides_move_and_cancel_occurrences(gql: GraphQL, make_user: UserFactory, session) -> None:
    from db.models import EventOverride

    user = await make_user()
    weekly = await make.event(session, at(2, 9), 60, title="Weekly", rrule="FREQ=WEEKLY;COUNT=4")
    session.add_all([
        EventOverride(event_id=weekly.id, recurrence_id=at(9, 9), cancelled=True),
        EventOverride(event_id=weekly.id, recurrence_id=at(16, 9), starts_at=at(17, 14), ends_at=at(17, 15),
                      title="Moved"),
    ])

    found = await entries(gql, user)

    assert [(e["title"], e["start"], e["recurrenceId"]) for e in found] == [
        ("Weekly", "2026-03-02T09:00:00+00:00", "2026-03-02T09:00:00+00:00"),
        ("Moved", "2026-03-17T14:00:00+00:00", "2026-03-16T09:00:00+00:00"),
        ("Weekly", "2026-03-23T09:00:00+00:00", "2026-03-23T09:00:00+00:00"),
    ]


async def test_coordination_event_tasks_show_through_the_event(gql: GraphQL, make_user: UserFactory, session) -> None:
    """createEvent of a quarterly coordination meeting generates its default tasks (linked to the event)."""
    from sqlalchemy import select

    from db.models import Task, Team

    manager = await make_user(Role.MANAGER)
    team = await make.add(session, Team(name=make.unique("Team")))
    created = await gql("""
      mutation C($input: CreateEventInput!) { createEvent(input: $input) { event { id } errors { message } } }
    """, {"input": {"title": "Q1 coordination", "start": "2026-03-20T09:00:00Z", "end": "2026-03-20T12:00:00Z",
                    "isQuarterlyCoordination": True, "quarter": 1, "fiscalYear": 2026,
                    "teamId": to_global_id("Team", team.id)}}, user=manager)
    assert created["data"]["createEvent"]["errors"] == []

    linked = (await session.scalars(select(Task).where(Task.event_id.is_not(None)))).all()
    found = await entries(gql, manager, start="2026-01-01T00:00:00Z", end="2026-06-01T00:00:00Z")

    assert linked, f"no task generated from the {TemplateKind.COORDINATION_EVENT} template"
    assert [(e["kind"], e["title"]) for e in found] == [("EVENT", "Q1 coordination")]
