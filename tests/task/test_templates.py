"""Task templates: creation rules, instantiation with placeholders and offsets, automatic generation."""
from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role, TaskStatus, TemplateKind
from db.models import ChangeLog, Event, Task, TaskTemplate
from db.queries.task_generation import ensure_default_templates, generate_default_tasks
from tests.conftest import GraphQL, UserFactory
from tests.task.conftest import gid

CREATE_TEMPLATE = """
mutation($input: CreateTaskTemplateInput!) {
  createTaskTemplate(input: $input) {
    template { id name kind isDefault items { sequence title offsetDays role priority estimatedHours } }
    errors { code field message }
  }
}"""
INSTANTIATE = """
mutation($input: InstantiateTaskTemplateInput!) {
  instantiateTaskTemplate(input: $input) {
    tasks { title startsOn dueAt domain priority role estimatedHours status } createdCount errors { code field message }
  }
}"""
TEMPLATES = "{ taskTemplates(filter: {kind: PPA}) { totalCount edges { node { name isDefault items { title } } } } }"

ITEMS = [
    {"title": "Kick-off for {ppa_title}", "offsetDays": 0, "role": "Lead", "priority": "HIGH", "estimatedHours": 2},
    {"title": "Plan {ppa_title} ({ppa_code})", "offsetDays": 10},
]


async def test_managers_create_templates_staff_may_not(gql: GraphQL, make_user: UserFactory) -> None:
    manager, staff = await make_user(Role.MANAGER), await make_user(Role.STAFF)
    input = {"name": "Road works", "kind": "PPA", "items": ITEMS}

    denied = await gql(CREATE_TEMPLATE, {"input": input}, user=staff)
    created = await gql(CREATE_TEMPLATE, {"input": input}, user=manager)

    assert denied["data"]["createTaskTemplate"]["errors"][0]["code"] == "PERMISSION_DENIED"
    template = created["data"]["createTaskTemplate"]["template"]
    assert created["data"]["createTaskTemplate"]["errors"] == []
    assert template["items"] == [
        {"sequence": 0, "title": "Kick-off for {ppa_title}", "offsetDays": 0, "role": "Lead", "priority": "HIGH",
         "estimatedHours": 2.0},
        {"sequence": 1, "title": "Plan {ppa_title} ({ppa_code})", "offsetDays": 10, "role": "", "priority": "MEDIUM",
         "estimatedHours": None},
    ]


async def test_template_validation(gql: GraphQL, make_user: UserFactory) -> None:
    admin = await make_user(Role.ADMIN)

    unknown = await gql(CREATE_TEMPLATE, {"input": {"name": "T1", "kind": "PPA", "items": [{"title": "{event_title}"}]}}, user=admin)
    blank = await gql(CREATE_TEMPLATE, {"input": {"name": " ", "kind": "PPA"}}, user=admin)
    offset = await gql(CREATE_TEMPLATE, {"input": {"name": "T2", "kind": "PPA", "items": [{"title": "x", "offsetDays": 99999}]}}, user=admin)
    hours = await gql(CREATE_TEMPLATE, {"input": {"name": "T3", "kind": "PPA", "items": [{"title": "x", "estimatedHours": -2}]}}, user=admin)

    assert unknown["data"]["createTaskTemplate"]["errors"] == [{
        "code": "VALIDATION", "field": "input.items.0.title", "message": "Unknown placeholders for PPA: event_title."}]
    assert blank["data"]["createTaskTemplate"]["errors"][0]["field"] == "input.name"
    assert offset["data"]["createTaskTemplate"]["errors"][0]["field"] == "input.items.0.offsetDays"
    assert hours["data"]["createTaskTemplate"]["errors"][0]["field"] == "input.items.0.estimatedHours"


async def test_instantiate_renders_placeholders_applies_offsets_and_is_idempotent(
    gql: GraphQL, make_user: UserFactory, make_ppa, session: AsyncSession
) -> None:
    manager = await make_user(Role.MANAGER)
    ppa = await make_ppa("Bridge repair", code="PPA-7")
    created = await gql(CREATE_TEMPLATE, {"input": {"name": "Bridge", "kind": "PPA", "items": ITEMS}}, user=manager)
    template_id = created["data"]["createTaskTemplate"]["template"]["id"]
    input = {"templateId": template_id, "startDate": "2031-04-01", "targetId": gid("Ppa", ppa.id)}

    first = await gql(INSTANTIATE, {"input": input}, user=manager)
    again = await gql(INSTANTIATE, {"input": input}, user=manager)

    expected = [
        {"title": "Kick-off for Bridge repair", "startsOn": "2031-04-01", "dueAt": "2031-04-01T17:00:00+00:00",
         "domain": "PROJECTS", "priority": "HIGH", "role": "Lead", "estimatedHours": 2.0, "status": "TODO"},
        {"title": "Plan Bridge repair (PPA-7)", "startsOn": "2031-04-01", "dueAt": "2031-04-11T17:00:00+00:00",
         "domain": "PROJECTS", "priority": "MEDIUM", "role": "", "estimatedHours": None, "status": "TODO"},
    ]
    assert first["data"]["instantiateTaskTemplate"] == {"tasks": expected, "createdCount": 2, "errors": []}
    assert again["data"]["instantiateTaskTemplate"] == {"tasks": expected, "createdCount": 0, "errors": []}
    count = await session.scalar(select(func.count()).select_from(Task).where(Task.ppa_id == ppa.id))
    assert count == 2


async def test_instantiate_rejects_wrong_ids(gql: GraphQL, make_user: UserFactory) -> None:
    staff = await make_user(Role.STAFF)
    wrong = await gql(INSTANTIATE, {"input": {"templateId": gid("Task", 1), "startDate": "2031-01-01"}}, user=staff)
    missing = await gql(INSTANTIATE, {"input": {"templateId": gid("TaskTemplate", 987654), "startDate": "2031-01-01"}}, user=staff)
    assert wrong["data"]["instantiateTaskTemplate"]["errors"][0]["field"] == "input.templateId"
    assert missing["data"]["instantiateTaskTemplate"]["errors"][0]["code"] == "NOT_FOUND"


async def test_generate_default_tasks_creates_the_default_set_once(
    session: AsyncSession, make_ppa, make_user: UserFactory, gql: GraphQL
) -> None:
    user = await make_user(Role.STAFF)
    ppa = await make_ppa("Water system", starts_on=date(2031, 6, 1))

    created = await generate_default_tasks(session, TemplateKind.PPA, ppa, actor_id=user.id)
    repeated = await generate_default_tasks(session, TemplateKind.PPA, ppa, actor_id=user.id)

    assert [t.title for t in created][:2] == [
        "Draft the work and financial plan for Water system", "Prepare the budget proposal for Water system"]
    assert len(created) == 5 and repeated == []
    assert {t.generation_key for t in created} == {f"PPA:{ppa.id}:item:{t.template_item_id}" for t in created}
    assert all(t.ppa_id == ppa.id and t.status == TaskStatus.TODO for t in created)
    assert created[0].due_at is not None and created[0].due_at.date() == date(2031, 6, 8)
    await session.flush()
    logs = await session.scalar(select(func.count()).select_from(ChangeLog).where(
        ChangeLog.entity_type == "Task", ChangeLog.entity_id.in_([t.id for t in created])))
    assert logs == 5
    listed = await gql(TEMPLATES, user=user)
    assert {"name": "Default PPA tasks", "isDefault": True, "items": [{"title": s} for s in [
        "Draft the work and financial plan for {ppa_title}", "Prepare the budget proposal for {ppa_title}",
        "Prepare the procurement plan for {ppa_title}", "Mobilize implementation of {ppa_title}",
        "Write the monitoring report for {ppa_title}"]]} in [e["node"] for e in listed["data"]["taskTemplates"]["edges"]]


async def test_event_tasks_carry_the_event_id_and_offsets_before_it(
    session: AsyncSession, make_user: UserFactory
) -> None:
    from tests.task.conftest import at

    user = await make_user(Role.STAFF)
    event = Event(uid="gen-test@almanac", title="Q3 coordination", starts_at=at(2031, 9, 15, 9),
                  ends_at=at(2031, 9, 15, 12), timezone="UTC")
    session.add(event)
    await session.flush()

    created = await generate_default_tasks(session, TemplateKind.COORDINATION_EVENT, event, actor_id=user.id)

    assert [t.event_id for t in created] == [event.id] * 4
    assert created[0].title == "Draft the agenda for Q3 coordination"
    assert created[0].due_at == at(2031, 9, 8, 17) and created[0].starts_on == date(2031, 9, 8)


async def test_ensure_default_templates_is_idempotent(session: AsyncSession) -> None:
    await ensure_default_templates(session)
    await ensure_default_templates(session)
    defaults = (await session.execute(
        select(TaskTemplate.kind, func.count()).where(TaskTemplate.is_default).group_by(TaskTemplate.kind)
    )).all()
    assert sorted((k.value, n) for k, n in defaults) == [
        ("ASSESSMENT", 1), ("COORDINATION_EVENT", 1), ("POLICY", 1), ("PPA", 1)]


async def test_generation_rejects_a_mismatched_object(session: AsyncSession, make_ppa) -> None:
    ppa = await make_ppa()
    with pytest.raises(TypeError, match=r"needs a Policy"):
        await generate_default_tasks(session, TemplateKind.POLICY, ppa, actor_id=None)
    assert await session.scalar(select(func.count()).select_from(Task).where(Task.ppa_id == ppa.id)) == 0


ORDERED_TEMPLATES = """
query($search: String!, $order: TaskTemplateOrder) {
  taskTemplates(filter: {search: $search}, orderBy: $order) { edges { node { name } } }
}"""


async def test_order_by_kind_breaks_ties_by_id_in_the_same_direction(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    viewer = await make_user(Role.VIEWER)
    tag = f"TO-{uuid.uuid4().hex[:6]}"
    for name, kind in (("zeta", TemplateKind.PPA), ("alpha", TemplateKind.PPA), ("mid", TemplateKind.ASSESSMENT)):
        session.add(TaskTemplate(name=f"{tag} {name}", kind=kind))
        await session.flush()

    async def names(order: dict[str, str]) -> list[str]:
        body = await gql(ORDERED_TEMPLATES, {"search": tag, "order": order}, user=viewer)
        return [edge["node"]["name"].removeprefix(f"{tag} ") for edge in body["data"]["taskTemplates"]["edges"]]

    assert await names({"field": "KIND"}) == ["mid", "zeta", "alpha"]
    assert await names({"field": "KIND", "direction": "DESC"}) == ["alpha", "zeta", "mid"]
