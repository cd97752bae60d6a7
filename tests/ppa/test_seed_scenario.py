"""Issue 5's seed scenario end to end: a need, a PPA for it, generated tasks on the calendar,
the tasks completed through updateTask, and the PPA's progress reaching 100."""
from __future__ import annotations

from tests.conftest import GraphQL, UserFactory

CREATE_NEED = """
mutation Need($input: CreateNeedInput!) { createNeed(input: $input) { need { id title } errors { code } } }
"""
CREATE_PPA = """
mutation Ppa($input: CreatePpaInput!) { createPpa(input: $input) { ppa { id } errors { code field message } } }
"""
ADD_MILESTONE = """
mutation M($input: AddPpaMilestoneInput!) { addPpaMilestone(input: $input) { errors { code } } }
"""
PPA = """
query Ppa($id: ID!) {
  node(id: $id) { ... on Ppa {
    title progress needs { title ppas { title } }
    tasks(first: 20) { totalCount edges { node { id title status version } } }
  } }
}
"""
CALENDAR = """
query Calendar($start: DateTime!, $end: DateTime!) {
  calendar(start: $start, end: $end, modules: [PROJECTS, TASKS]) { entries { kind title start source { __typename } } }
}
"""
UPDATE_TASK = """
mutation Done($input: UpdateTaskInput!) { updateTask(input: $input) { task { status } errors { code message } } }
"""


async def test_need_to_ppa_to_tasks_to_full_progress(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()

    # a need is identified, and a PPA is created for it with dates, a milestone and a budget hearing
    need = (await gql(CREATE_NEED, {"input": {"title": "Safe drinking water"}}, user=user))["data"]["createNeed"]
    created = await gql(CREATE_PPA, {"input": {
        "title": "Riverside water system", "category": "PROJECT", "startsOn": "2031-03-01", "endsOn": "2031-09-30",
        "needIds": [need["need"]["id"]],
        "stageDates": [{"budgetStage": "BUDGET_HEARING", "startsOn": "2031-03-20", "endsOn": "2031-03-21"}],
    }}, user=user)
    assert created["data"]["createPpa"]["errors"] == []
    ppa_id = created["data"]["createPpa"]["ppa"]["id"]
    milestone = await gql(ADD_MILESTONE, {"input": {"ppaId": ppa_id, "title": "Pipes laid", "dueOn": "2031-06-15"}},
                          user=user)
    assert milestone["data"]["addPpaMilestone"]["errors"] == []

    # the default tasks were generated with it, linked to the need through the PPA
    ppa = (await gql(PPA, {"id": ppa_id}, user=user))["data"]["node"]
    tasks = [e["node"] for e in ppa["tasks"]["edges"]]
    assert ppa["needs"] == [{"title": "Safe drinking water", "ppas": [{"title": "Riverside water system"}]}]
    assert (ppa["progress"], ppa["tasks"]["totalCount"]) == (0, 5)
    assert {t["status"] for t in tasks} == {"TODO"}

    # everything is on the calendar: PPA start/end, milestone, budget hearing and the task due dates
    window = await gql(CALENDAR, {"start": "2031-03-01T00:00:00Z", "end": "2031-12-31T00:00:00Z"}, user=user)
    assert "errors" not in window, window
    kinds = sorted(e["kind"] for e in window["data"]["calendar"]["entries"])
    assert kinds == sorted(["PPA_START", "PPA_END", "PPA_MILESTONE", "PPA_STAGE"] + ["TASK_DUE"] * 5)

    # completing the tasks one by one moves the progress to 100
    progress = []
    for task in tasks:
        done = await gql(UPDATE_TASK, {"input": {"id": task["id"], "expectedVersion": task["version"],
                                                 "status": "DONE"}}, user=user)
        assert done["data"]["updateTask"] == {"task": {"status": "DONE"}, "errors": []}
        progress.append((await gql(PPA, {"id": ppa_id}, user=user))["data"]["node"]["progress"])
    assert progress == [20, 40, 60, 80, 100]
