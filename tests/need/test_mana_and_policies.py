"""needs, assessments and policies: creation (with generated tasks), validation, filters, statement counts."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import AssessmentStatus, PolicyStatus, Role
from db.models import Assessment, ChangeLog, Community, Need, Policy, PpaPolicy, Task
from db.statements import counting
from tests.conftest import GraphQL, UserFactory
from tests.ppa.helpers import add_ppa, gid

CREATE_NEED = """
mutation Need($input: CreateNeedInput!) {
  createNeed(input: $input) {
    need { title category priority status identifiedOn community { name } assessment { title } ppas { title } }
    errors { code field }
  }
}
"""
CREATE_ASSESSMENT = """
mutation A($input: CreateAssessmentInput!) {
  createAssessment(input: $input) {
    assessment { title status planningOn reportOn owner { name } needs { title }
                 tasks(first: 10) { totalCount edges { node { title domain } } } }
    errors { code field }
  }
}
"""
CREATE_POLICY = """
mutation P($input: CreatePolicyInput!) {
  createPolicy(input: $input) {
    policy { title code status effectiveOn reviewOn ppas { title policies { title } } tasks(first: 10) { totalCount } }
    errors { code field }
  }
}
"""
LISTS = """
query Lists($needs: NeedFilter, $assessments: AssessmentFilter, $policies: PolicyFilter) {
  needs(filter: $needs, first: 100) { totalCount edges { node { title community { name } assessment { title } ppas { title } } } }
  assessments(filter: $assessments, first: 100) {
    totalCount edges { node { title community { name } owner { name } leadTeam { name } needs { title } tasks { totalCount } } }
  }
  policies(filter: $policies, first: 100) {
    totalCount edges { node { title owner { name } community { name } ppas { title } tasks { totalCount } } }
  }
}
"""


async def test_create_need_assessment_and_policy(gql: GraphQL, make_user: UserFactory, session: AsyncSession) -> None:
    user = await make_user(name="Rosa Researcher")
    community = Community(name="Hilltop")
    session.add(community)
    await session.flush()
    ppa = await add_ppa(session, title="Hilltop road")

    assessment = await gql(CREATE_ASSESSMENT, {"input": {
        "title": "Hilltop needs 2031", "planningOn": "2031-01-05", "dataCollectionOn": "2031-01-20",
        "analysisOn": "2031-02-10", "reportOn": "2031-03-01", "communityId": gid("Community", community.id)}}, user=user)
    created = assessment["data"]["createAssessment"]
    tasks = created["assessment"].pop("tasks")
    assert created == {"assessment": {"title": "Hilltop needs 2031", "status": "PLANNED", "planningOn": "2031-01-05",
                                      "reportOn": "2031-03-01", "owner": {"name": "Rosa Researcher"}, "needs": []},
                       "errors": []}
    assert tasks["totalCount"] == 4 and {e["node"]["domain"] for e in tasks["edges"]} == {"MANA"}
    assessment_id = (await session.scalars(select(Assessment.id).where(Assessment.title == "Hilltop needs 2031"))).one()

    need = await gql(CREATE_NEED, {"input": {
        "title": "Road access", "category": "infrastructure", "priority": "HIGH", "identifiedOn": "2031-03-01",
        "communityId": gid("Community", community.id), "assessmentId": gid("Assessment", assessment_id)}}, user=user)
    assert need["data"]["createNeed"] == {"need": {
        "title": "Road access", "category": "infrastructure", "priority": "HIGH", "status": "IDENTIFIED",
        "identifiedOn": "2031-03-01", "community": {"name": "Hilltop"}, "assessment": {"title": "Hilltop needs 2031"},
        "ppas": []}, "errors": []}

    policy = await gql(CREATE_POLICY, {"input": {
        "title": "Rural roads policy", "code": "POL-RR", "effectiveOn": "2031-04-01", "reviewOn": "2032-04-01",
        "ppaIds": [gid("Ppa", ppa.id)]}}, user=user)
    assert policy["data"]["createPolicy"] == {"policy": {
        "title": "Rural roads policy", "code": "POL-RR", "status": "DRAFT", "effectiveOn": "2031-04-01",
        "reviewOn": "2032-04-01", "ppas": [{"title": "Hilltop road", "policies": [{"title": "Rural roads policy"}]}],
        "tasks": {"totalCount": 4}}, "errors": []}

    modules = {(c.entity_type, c.payload["module"]) for c in (await session.scalars(
        select(ChangeLog).where(ChangeLog.entity_type.in_(["Need", "Assessment", "Policy"])))).all()}
    assert modules == {("Need", "MANA"), ("Assessment", "MANA"), ("Policy", "POLICY")}


async def test_validation_of_needs_assessments_policies(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    user = await make_user()
    cases = [
        (CREATE_ASSESSMENT, "createAssessment", {"title": "A", "planningOn": "2031-02-01", "dataCollectionOn": "2031-01-01"},
         ("VALIDATION", "input.dataCollectionOn")),
        (CREATE_ASSESSMENT, "createAssessment", {"title": "A", "planningOn": "2031-02-01", "reportOn": "2031-01-01"},
         ("VALIDATION", "input.reportOn")),
        (CREATE_ASSESSMENT, "createAssessment", {"title": "A" * 301}, ("VALIDATION", "input.title")),
        (CREATE_ASSESSMENT, "createAssessment", {"title": "A", "leadTeamId": gid("Community", 1)},
         ("VALIDATION", "input.leadTeamId")),
        (CREATE_NEED, "createNeed", {"title": "N", "category": "c" * 101}, ("VALIDATION", "input.category")),
        (CREATE_NEED, "createNeed", {"title": "N", "assessmentId": gid("Assessment", 999_999_999)},
         ("NOT_FOUND", "input.assessmentId")),
        (CREATE_NEED, "createNeed", {"title": "N", "assessmentId": "not-an-id"}, ("VALIDATION", "input.assessmentId")),
        (CREATE_POLICY, "createPolicy", {"title": "P", "effectiveOn": "2031-05-01", "reviewOn": "2031-04-01"},
         ("VALIDATION", "input.reviewOn")),
        (CREATE_POLICY, "createPolicy", {"title": "P", "ppaIds": [gid("Need", 1)]}, ("VALIDATION", "input.ppaIds")),
        (CREATE_POLICY, "createPolicy", {"title": "P", "effectiveOn": "1800-01-01"}, ("VALIDATION", "input.effectiveOn")),
    ]
    for mutation, name, input, expected in cases:
        body = await gql(mutation, {"input": input}, user=user)
        assert "errors" not in body, (input, body)
        assert [(e["code"], e["field"]) for e in body["data"][name]["errors"]] == [expected], (input, body)
    viewer = await gql(CREATE_NEED, {"input": {"title": "N"}}, user=await make_user(Role.VIEWER))
    assert viewer["data"]["createNeed"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert (await session.scalars(select(Task.id).where(Task.assessment_id.is_not(None) | Task.policy_id.is_not(None)))).all() == []


async def add_rows(session: AsyncSession, count: int, tag: str, owner_id: int) -> None:
    community = Community(name=f"{tag} {count}")
    session.add(community)
    await session.flush()
    assessments = [Assessment(title=f"{tag} A{i}", community_id=community.id, owner_id=owner_id) for i in range(count)]
    policies = [Policy(title=f"{tag} P{i}", owner_id=owner_id, community_id=community.id) for i in range(count)]
    session.add_all(assessments + policies)
    await session.flush()
    session.add_all([Need(title=f"{tag} N{i}", community_id=community.id, assessment_id=a.id)
                     for i, a in enumerate(assessments)])
    session.add_all([Task(title="t", assessment_id=a.id) for a in assessments])
    ppa = await add_ppa(session, title=f"{tag} ppa {count}")
    session.add_all([PpaPolicy(ppa_id=ppa.id, policy_id=p.id) for p in policies])
    await session.flush()


async def test_list_statement_counts_do_not_grow(gql: GraphQL, make_user: UserFactory, session: AsyncSession) -> None:
    user = await make_user()
    tag = f"ML-{uuid.uuid4().hex[:6]}"
    counts: dict[int, int] = {}
    variables = {"needs": {"search": tag}, "assessments": {"search": tag}, "policies": {"search": tag}}
    for total, add in ((10, 10), (100, 90)):
        await add_rows(session, add, tag, user.id)
        with counting() as statements:
            body = await gql(LISTS, variables, user=user)
        assert "errors" not in body, body
        assert [body["data"][k]["totalCount"] for k in ("needs", "assessments", "policies")] == [total] * 3
        counts[total] = statements.count
    print(f"\nneeds+assessments+policies statements: {counts}")
    assert counts[10] == counts[100], counts


async def test_list_filters(gql: GraphQL, make_user: UserFactory, session: AsyncSession) -> None:
    user = await make_user()
    tag = f"MF-{uuid.uuid4().hex[:6]}"
    from datetime import date

    session.add_all([
        Assessment(title=f"{tag} early", planning_on=date(2031, 1, 1), report_on=date(2031, 2, 1)),
        Assessment(title=f"{tag} late", status=AssessmentStatus.COMPLETED, planning_on=date(2031, 6, 1),
                   report_on=date(2031, 7, 1)),
        Policy(title=f"{tag} adopted", status=PolicyStatus.ADOPTED, effective_on=date(2031, 1, 1)),
        Policy(title=f"{tag} draft", effective_on=date(2032, 1, 1)),
        Need(title=f"{tag} water", category="water", identified_on=date(2031, 1, 10)),
        Need(title=f"{tag} road", category="road", identified_on=date(2031, 5, 10)),
    ])
    await session.flush()

    async def titles(query_vars: dict[str, object], key: str) -> list[str]:
        body = await gql(LISTS, query_vars, user=user)
        assert "errors" not in body, body
        return sorted(e["node"]["title"].removeprefix(f"{tag} ") for e in body["data"][key]["edges"])

    base = {"needs": {"search": tag}, "assessments": {"search": tag}, "policies": {"search": tag}}
    assert await titles({**base, "assessments": {"search": tag, "dateFrom": "2031-03-01"}}, "assessments") == ["late"]
    assert await titles({**base, "assessments": {"search": tag, "statuses": ["PLANNED"]}}, "assessments") == ["early"]
    assert await titles({**base, "policies": {"search": tag, "statuses": ["ADOPTED"]}}, "policies") == ["adopted"]
    assert await titles({**base, "policies": {"search": tag, "effectiveFrom": "2031-06-01"}}, "policies") == ["draft"]
    assert await titles({**base, "needs": {"search": tag, "category": "water"}}, "needs") == ["water"]
    assert await titles({**base, "needs": {"search": tag, "identifiedFrom": "2031-02-01"}}, "needs") == ["road"]


ORDERED = """
query Ordered($search: String!, $needs: NeedOrder, $assessments: AssessmentOrder, $policies: PolicyOrder) {
  needs(filter: {search: $search}, orderBy: $needs, first: 10) { edges { node { title } } }
  assessments(filter: {search: $search}, orderBy: $assessments, first: 10) { edges { node { title } } }
  policies(filter: {search: $search}, orderBy: $policies, first: 10) { edges { node { title } } }
}
"""


async def ordered_titles(gql: GraphQL, user: object, tag: str, key: str, field: str) -> tuple[list[str], list[str]]:
    """``key``'s titles (tag stripped) ordered by ``field`` ascending, then descending."""
    pages = [await gql(ORDERED, {"search": tag, key: {"field": field, "direction": direction}}, user=user)
             for direction in ("ASC", "DESC")]
    for body in pages:
        assert "errors" not in body, body
    ascending, descending = ([e["node"]["title"].removeprefix(f"{tag} ") for e in body["data"][key]["edges"]]
                             for body in pages)
    return ascending, descending


async def test_needs_order_by_identified_on_keeps_undated_last(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    tag = f"NO-{uuid.uuid4().hex[:6]}"
    session.add_all([Need(title=f"{tag} spring", identified_on=date(2031, 4, 1)),
                     Need(title=f"{tag} undated", identified_on=None),
                     Need(title=f"{tag} winter", identified_on=date(2031, 1, 1))])

    ascending, descending = await ordered_titles(gql, await make_user(), tag, "needs", "IDENTIFIED_ON")

    assert ascending == ["winter", "spring", "undated"]
    assert descending == ["spring", "winter", "undated"]


async def test_assessments_order_by_report_on_keeps_undated_last(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    tag = f"AO-{uuid.uuid4().hex[:6]}"
    session.add_all([Assessment(title=f"{tag} undated", planning_on=date(2030, 1, 1)),
                     Assessment(title=f"{tag} later", planning_on=date(2031, 1, 1), report_on=date(2031, 9, 1)),
                     Assessment(title=f"{tag} sooner", planning_on=date(2031, 2, 1), report_on=date(2031, 3, 1))])

    ascending, descending = await ordered_titles(gql, await make_user(), tag, "assessments", "REPORT_ON")

    assert ascending == ["sooner", "later", "undated"]
    assert descending == ["later", "sooner", "undated"]


async def test_policies_order_by_review_on_keeps_undated_last(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    tag = f"PO-{uuid.uuid4().hex[:6]}"
    session.add_all([Policy(title=f"{tag} a-undated", review_on=None),
                     Policy(title=f"{tag} b-later", review_on=date(2032, 6, 1)),
                     Policy(title=f"{tag} c-sooner", review_on=date(2031, 6, 1))])

    ascending, descending = await ordered_titles(gql, await make_user(), tag, "policies", "REVIEW_ON")

    assert ascending == ["c-sooner", "b-later", "a-undated"]
    assert descending == ["b-later", "c-sooner", "a-undated"]
