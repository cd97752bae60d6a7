"""Policy dates and projected recurring tasks on the calendar; any coordination event's task set."""
from __future__ import annotations

from typing import Any

from tests.conftest import GraphQL, UserFactory
from tests.lifecycle.test_lifecycles import CREATE_POLICY, UPDATE_POLICY
from tests.mutations import call, codes, mutation

CALENDAR = """
query($start: DateTime!, $end: DateTime!, $modules: [CalendarModule!]) {
  calendar(start: $start, end: $end, modules: $modules) {
    entries { id kind module title start allDay source { __typename ... on Task { title } ... on Policy { title } } }
  }
}
"""
CREATE_TASK = mutation("createTask", "CreateTaskInput", "task { id }")
UPDATE_TASK = mutation("updateTask", "UpdateTaskInput", "task { id status }")
CREATE_EVENT = mutation("createEvent", "CreateEventInput", "event { id }")
GENERATE = mutation("generateEventTasks", "GenerateEventTasksInput", "createdCount tasks { title domain }")


async def entries(gql: GraphQL, user: Any, start: str, end: str, modules: list[str]) -> list[dict[str, Any]]:
    body = await gql(CALENDAR, {"start": start, "end": end, "modules": modules}, user=user)
    assert "errors" not in body, body
    result: list[dict[str, Any]] = body["data"]["calendar"]["entries"]
    return result


async def test_policy_effective_and_review_dates_are_policy_calendar_entries(
    gql: GraphQL, make_user: UserFactory
) -> None:
    user = await make_user()
    policy = (await call(gql, CREATE_POLICY, {"title": "Solid waste code"}, user))["policy"]
    await call(gql, UPDATE_POLICY, {"id": policy["id"], "expectedVersion": 1, "effectiveOn": "2031-02-01",
                                    "reviewOn": "2031-08-01"}, user)
    found = await entries(gql, user, "2031-01-01T00:00:00Z", "2031-12-31T00:00:00Z", ["POLICY"])
    assert [(e["kind"], e["module"], e["title"], e["start"], e["allDay"], e["source"]) for e in found] == [
        ("POLICY_DATE", "POLICY", "Solid waste code: takes effect", "2031-02-01T00:00:00+00:00", True,
         {"__typename": "Policy", "title": "Solid waste code"}),
        ("POLICY_DATE", "POLICY", "Solid waste code: review", "2031-08-01T00:00:00+00:00", True,
         {"__typename": "Policy", "title": "Solid waste code"}),
    ]
    assert await entries(gql, user, "2031-01-01T00:00:00Z", "2031-12-31T00:00:00Z", ["PROJECTS"]) == []


async def test_future_instances_of_a_recurring_task_are_projected(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()
    task = (await call(gql, CREATE_TASK, {"title": "Submit weekly report", "dueAt": "2031-03-03T08:00:00Z",
                                          "rrule": "FREQ=WEEKLY;COUNT=4"}, user))["task"]
    found = await entries(gql, user, "2031-03-01T00:00:00Z", "2031-04-01T00:00:00Z", ["TASKS"])
    assert [(e["kind"], e["start"]) for e in found] == [
        ("TASK_DUE", "2031-03-03T08:00:00+00:00"),
        ("TASK_PROJECTED", "2031-03-10T08:00:00+00:00"),
        ("TASK_PROJECTED", "2031-03-17T08:00:00+00:00"),
        ("TASK_PROJECTED", "2031-03-24T08:00:00+00:00"),
    ]
    projected_ids = [e["id"] for e in found[1:]]
    assert {e["source"]["title"] for e in found} == {"Submit weekly report"}

    # when the first instance is done, the next is a real task and the projection moves on, ids stable
    await call(gql, UPDATE_TASK, {"id": task["id"], "expectedVersion": 1, "status": "DONE"}, user)
    after = await entries(gql, user, "2031-03-01T00:00:00Z", "2031-04-01T00:00:00Z", ["TASKS"])
    assert [(e["kind"], e["start"]) for e in after] == [
        ("TASK_DUE", "2031-03-03T08:00:00+00:00"),
        ("TASK_DUE", "2031-03-10T08:00:00+00:00"),
        ("TASK_PROJECTED", "2031-03-17T08:00:00+00:00"),
        ("TASK_PROJECTED", "2031-03-24T08:00:00+00:00"),
    ]
    assert [e["id"] for e in after[2:]] == projected_ids[1:]
    # a window that starts later only shows what falls inside it
    late = await entries(gql, user, "2031-03-20T00:00:00Z", "2031-06-01T00:00:00Z", ["TASKS"])
    assert [(e["kind"], e["start"]) for e in late] == [("TASK_PROJECTED", "2031-03-24T08:00:00+00:00")]


async def test_any_coordination_event_may_generate_its_tasks_once(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()
    meeting = (await call(gql, CREATE_EVENT, {"title": "Flood response huddle", "start": "2031-05-04T01:00:00Z",
                                              "end": "2031-05-04T02:00:00Z", "module": "COORDINATION"},
                          user))["event"]
    first = await call(gql, GENERATE, {"eventId": meeting["id"]}, user)
    assert first["errors"] == [] and first["createdCount"] == len(first["tasks"]) > 0
    assert {t["domain"] for t in first["tasks"]} == {"COORDINATION"}
    again = await call(gql, GENERATE, {"eventId": meeting["id"]}, user)
    assert (again["createdCount"], again["tasks"]) == (0, first["tasks"])
    other = (await call(gql, CREATE_EVENT, {"title": "Lunch", "start": "2031-05-04T04:00:00Z",
                                            "end": "2031-05-04T05:00:00Z", "module": "COMMUNITY"}, user))["event"]
    refused = await call(gql, GENERATE, {"eventId": other["id"]}, user)
    assert codes(refused) == [("VALIDATION", "input.eventId")]
    stranger = await make_user()
    private = (await call(gql, CREATE_EVENT, {"title": "Private prep", "start": "2031-05-05T01:00:00Z",
                                              "end": "2031-05-05T02:00:00Z", "module": "COORDINATION",
                                              "visibility": "PRIVATE"}, user))["event"]
    hidden = await call(gql, GENERATE, {"eventId": private["id"]}, stranger)
    assert codes(hidden) == [("NOT_FOUND", "input.eventId")]
