"""createPpa, updatePpa, milestones, stage dates and need links, with their validation."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from db.models import ChangeLog, Community, Need, Task
from tests.conftest import GraphQL, UserFactory
from tests.ppa.helpers import gid

CREATE_PPA = """
mutation Create($input: CreatePpaInput!) {
  createPpa(input: $input) {
    ppa {
      title code category status stage budgetStage budgetStatus budgetAllocated budgetApproved
      startsOn endsOn progress version allowedStages
      community { name } owner { name }
      needs { title }
      stages { kind stage workflowStage budgetStage startsOn endsOn }
      transitions { kind fromStage toStage decision note actor { name } }
      tasks(first: 10) { totalCount edges { node { title status } } }
    }
    errors { code field message }
  }
}
"""
UPDATE_PPA = """
mutation Update($input: UpdatePpaInput!) {
  updatePpa(input: $input) { ppa { title budgetAllocated startsOn endsOn version } errors { code field message } }
}
"""
ADD_MILESTONE = """
mutation Add($input: AddPpaMilestoneInput!) {
  addPpaMilestone(input: $input) { milestone { title dueOn completedAt isOverdue ppa { title } } errors { code field } }
}
"""
SCHEDULE = """
mutation Schedule($input: SchedulePpaStageInput!) {
  schedulePpaStage(input: $input) { stage { kind stage startsOn endsOn } errors { code field message } }
}
"""
LINK_NEEDS = """
mutation Link($input: LinkNeedsToPpaInput!) {
  linkNeedsToPpa(input: $input) { linkedCount ppa { needs { title } } errors { code field } }
}
"""


async def create(gql: GraphQL, user: object, **input: object) -> dict:
    body = await gql(CREATE_PPA, {"input": {"title": "Water system", "category": "PROJECT", **input}}, user=user)
    assert "errors" not in body, body
    return body["data"]["createPpa"]


async def test_create_ppa_links_needs_schedules_stages_and_generates_tasks(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    # given a staff member, a community and a need
    user = await make_user(Role.STAFF, name="Ana Staff")
    community = Community(name="Riverside")
    need = Need(title="Clean water")
    session.add_all([community, need])
    await session.flush()

    # when they create a PPA for it
    result = await create(
        gql, user, code="PPA-1", budgetAllocated="1500000.50", startsOn="2031-01-10", endsOn="2031-12-20",
        communityId=gid("Community", community.id), needIds=[gid("Need", need.id)],
        stageDates=[{"budgetStage": "BUDGET_HEARING", "startsOn": "2031-02-01", "endsOn": "2031-02-03"},
                    {"workflowStage": "PLANNING", "startsOn": "2031-01-10", "endsOn": "2031-01-31"}],
    )

    # then the PPA starts the workflow, with its links, stage dates, history and generated tasks
    ppa = result["ppa"]
    tasks = ppa.pop("tasks")
    assert result["errors"] == []
    assert ppa == {
        "title": "Water system", "code": "PPA-1", "category": "PROJECT", "status": "ACTIVE",
        "stage": "NEED_IDENTIFICATION", "budgetStage": "PREPARATION", "budgetStatus": "NOT_SUBMITTED",
        "budgetAllocated": "1500000.50", "budgetApproved": None, "startsOn": "2031-01-10", "endsOn": "2031-12-20",
        "progress": 0, "version": 1, "allowedStages": ["PLANNING"],
        "community": {"name": "Riverside"}, "owner": {"name": "Ana Staff"},
        "needs": [{"title": "Clean water"}],
        "stages": [
            {"kind": "STAGE", "stage": "PLANNING", "workflowStage": "PLANNING", "budgetStage": None,
             "startsOn": "2031-01-10", "endsOn": "2031-01-31"},
            {"kind": "BUDGET", "stage": "BUDGET_HEARING", "workflowStage": None, "budgetStage": "BUDGET_HEARING",
             "startsOn": "2031-02-01", "endsOn": "2031-02-03"},
        ],
        "transitions": [{"kind": "STAGE", "fromStage": None, "toStage": "NEED_IDENTIFICATION", "decision": None,
                         "note": "Created.", "actor": {"name": "Ana Staff"}}],
    }
    assert tasks["totalCount"] == 5
    assert {e["node"]["status"] for e in tasks["edges"]} == {"TODO"}
    assert tasks["edges"][0]["node"]["title"] == "Draft the work and financial plan for Water system"
    changes = (await session.scalars(select(ChangeLog).where(ChangeLog.entity_type.in_(["Ppa", "PpaStage"]))
                                     .order_by(ChangeLog.id))).all()
    assert [(c.entity_type, c.op.value, c.payload["module"]) for c in changes] == [
        ("PpaStage", "CREATED", "PROJECTS"), ("PpaStage", "CREATED", "PROJECTS"), ("Ppa", "CREATED", "PROJECTS"),
    ]
    assert changes[-1].payload["start"] == "2031-01-10" and changes[-1].payload["need_ids"] == [need.id]


async def test_create_ppa_rejects_bad_input_without_writing(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    user = await make_user()
    need = Need(title="A need")
    session.add(need)
    await session.flush()
    cases = [
        ({"startsOn": "2031-05-01", "endsOn": "2031-04-30"}, "VALIDATION", "input.endsOn"),
        ({"budgetAllocated": "-1"}, "VALIDATION", "input.budgetAllocated"),
        ({"budgetAllocated": "10.001"}, "VALIDATION", "input.budgetAllocated"),
        ({"budgetAllocated": "1e15"}, "VALIDATION", "input.budgetAllocated"),
        ({"budgetAllocated": "NaN"}, "VALIDATION", "input.budgetAllocated"),
        ({"title": "x" * 301}, "VALIDATION", "input.title"),
        ({"title": "   "}, "VALIDATION", "input.title"),
        ({"code": "c" * 65}, "VALIDATION", "input.code"),
        ({"communityId": gid("Need", need.id)}, "VALIDATION", "input.communityId"),
        ({"needIds": [gid("Community", 1)]}, "VALIDATION", "input.needIds"),
        ({"needIds": ["garbage"]}, "VALIDATION", "input.needIds"),
        ({"communityId": gid("Community", 999_999_999)}, "NOT_FOUND", "input.communityId"),
        ({"status": "COMPLETED"}, "VALIDATION", "input.status"),
        ({"stageDates": [{"startsOn": "2031-01-01", "endsOn": "2031-01-02"}]}, "VALIDATION", "input.stageDates.0"),
        ({"stageDates": [{"workflowStage": "PLANNING", "startsOn": "2031-01-03", "endsOn": "2031-01-02"}]},
         "VALIDATION", "input.stageDates.0.endsOn"),
    ]
    for extra, code, field in cases:
        body = await gql(CREATE_PPA, {"input": {"title": "Water system", "category": "PROJECT", **extra}}, user=user)
        assert "errors" not in body, (extra, body)
        payload = body["data"]["createPpa"]
        assert payload["ppa"] is None, extra
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)], (extra, payload)
    assert (await session.scalars(select(Task.id).where(Task.ppa_id.is_not(None)))).all() == []


async def test_viewer_cannot_create(gql: GraphQL, make_user: UserFactory) -> None:
    body = await gql(CREATE_PPA, {"input": {"title": "X", "category": "PROJECT"}}, user=await make_user(Role.VIEWER))
    assert body["data"]["createPpa"]["errors"][0]["code"] == "PERMISSION_DENIED"


async def test_update_ppa_is_optimistic(gql: GraphQL, make_user: UserFactory, session: AsyncSession) -> None:
    # given a PPA at version 1 (a manager's: the update below changes the budget figure)
    user = await make_user(Role.MANAGER)
    created = await gql(CREATE_PPA, {"input": {"title": "Road", "category": "PROJECT", "startsOn": "2031-01-01"}},
                        user=user)
    ppa_gid = (await gql("query { ppas(first: 1) { edges { node { id } } } }", user=user))["data"]["ppas"]["edges"][0]["node"]["id"]
    assert created["data"]["createPpa"]["ppa"]["version"] == 1

    # when it is updated from version 1, then again from the stale version 1
    first = await gql(UPDATE_PPA, {"input": {"id": ppa_gid, "expectedVersion": 1, "title": "Farm road",
                                             "budgetAllocated": "25000", "endsOn": "2031-06-30"}}, user=user)
    stale = await gql(UPDATE_PPA, {"input": {"id": ppa_gid, "expectedVersion": 1, "title": "Lost write"}}, user=user)

    # then the first applies and the second answers CONFLICT
    assert first["data"]["updatePpa"] == {
        "ppa": {"title": "Farm road", "budgetAllocated": "25000.00", "startsOn": "2031-01-01", "endsOn": "2031-06-30",
                "version": 2},
        "errors": [],
    }
    assert stale["data"]["updatePpa"]["ppa"] is None
    assert [e["code"] for e in stale["data"]["updatePpa"]["errors"]] == ["CONFLICT"]

    # and the merged dates are checked: an end before the kept start is refused
    bad = await gql(UPDATE_PPA, {"input": {"id": ppa_gid, "expectedVersion": 2, "endsOn": "2030-12-31"}}, user=user)
    assert bad["data"]["updatePpa"]["errors"][0]["field"] == "input.endsOn"
    nulled = await gql(UPDATE_PPA, {"input": {"id": ppa_gid, "expectedVersion": 2, "title": None}}, user=user)
    assert nulled["data"]["updatePpa"]["errors"][0] == {"code": "VALIDATION", "field": "input.title",
                                                         "message": "Must not be null."}
    wrong = await gql(UPDATE_PPA, {"input": {"id": gid("Task", 1), "expectedVersion": 2}}, user=user)
    assert wrong["data"]["updatePpa"]["errors"][0]["code"] == "VALIDATION"


async def test_milestones_stage_dates_and_idempotent_need_links(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    user = await make_user()
    await gql(CREATE_PPA, {"input": {"title": "School", "category": "PROGRAM"}}, user=user)
    ppa_gid = (await gql("query { ppas(first: 1) { edges { node { id } } } }", user=user))["data"]["ppas"]["edges"][0]["node"]["id"]
    needs = [Need(title="Classrooms"), Need(title="Books")]
    session.add_all(needs)
    await session.flush()

    milestone = await gql(ADD_MILESTONE, {"input": {"ppaId": ppa_gid, "title": "Groundbreaking", "dueOn": "2031-03-01"}},
                          user=user)
    assert milestone["data"]["addPpaMilestone"] == {
        "milestone": {"title": "Groundbreaking", "dueOn": "2031-03-01", "completedAt": None, "isOverdue": False,
                      "ppa": {"title": "School"}},
        "errors": [],
    }

    scheduled = await gql(SCHEDULE, {"input": {"ppaId": ppa_gid, "budgetStage": "BUDGET_HEARING",
                                               "startsOn": "2031-02-01", "endsOn": "2031-02-02"}}, user=user)
    moved = await gql(SCHEDULE, {"input": {"ppaId": ppa_gid, "budgetStage": "BUDGET_HEARING",
                                           "startsOn": "2031-02-05", "endsOn": "2031-02-06"}}, user=user)
    both = await gql(SCHEDULE, {"input": {"ppaId": ppa_gid, "budgetStage": "BUDGET_HEARING", "workflowStage": "PLANNING",
                                          "startsOn": "2031-02-05", "endsOn": "2031-02-06"}}, user=user)
    assert scheduled["data"]["schedulePpaStage"]["stage"] == {"kind": "BUDGET", "stage": "BUDGET_HEARING",
                                                              "startsOn": "2031-02-01", "endsOn": "2031-02-02"}
    assert moved["data"]["schedulePpaStage"]["stage"]["startsOn"] == "2031-02-05"
    assert both["data"]["schedulePpaStage"]["errors"][0]["code"] == "VALIDATION"
    stage_changes = (await session.scalars(select(ChangeLog).where(ChangeLog.entity_type == "PpaStage")
                                           .order_by(ChangeLog.id))).all()
    assert [(c.op.value, c.payload["start"], c.payload.get("old_start")) for c in stage_changes] == [
        ("CREATED", "2031-02-01", None), ("UPDATED", "2031-02-05", "2031-02-01"),
    ]

    need_ids = [gid("Need", n.id) for n in needs]
    first = await gql(LINK_NEEDS, {"input": {"ppaId": ppa_gid, "needIds": need_ids}}, user=user)
    again = await gql(LINK_NEEDS, {"input": {"ppaId": ppa_gid, "needIds": need_ids + need_ids}}, user=user)
    expected_needs = [{"title": "Books"}, {"title": "Classrooms"}]
    assert first["data"]["linkNeedsToPpa"] == {"linkedCount": 2, "ppa": {"needs": expected_needs}, "errors": []}
    assert again["data"]["linkNeedsToPpa"] == {"linkedCount": 0, "ppa": {"needs": expected_needs}, "errors": []}
    missing = await gql(LINK_NEEDS, {"input": {"ppaId": ppa_gid, "needIds": [gid("Need", 999_999_999)]}}, user=user)
    assert missing["data"]["linkNeedsToPpa"]["errors"] == [{"code": "NOT_FOUND", "field": "input.needIds"}]
