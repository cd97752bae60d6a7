"""Lifecycles through the API: needs, assessments, policies, resources, task templates, PPAs.

Every update carries expectedVersion: a stale one answers CONFLICT and changes nothing;
a status move the lifecycle forbids answers INVALID_TRANSITION."""
from __future__ import annotations

from db.enums import Role
from tests.conftest import GraphQL, UserFactory
from tests.mutations import call, codes, mutation

CREATE_NEED = mutation("createNeed", "CreateNeedInput", "need { id status version }")
UPDATE_NEED = mutation("updateNeed", "UpdateNeedInput", "need { id status priorityScore version title }")
CREATE_ASSESSMENT = mutation("createAssessment", "CreateAssessmentInput", "assessment { id status version }")
UPDATE_ASSESSMENT = mutation("updateAssessment", "UpdateAssessmentInput", "assessment { status version reportOn }")
CREATE_POLICY = mutation("createPolicy", "CreatePolicyInput", "policy { id status version }")
UPDATE_POLICY = mutation("updatePolicy", "UpdatePolicyInput", "policy { status version effectiveOn reviewOn }")
CREATE_RESOURCE = mutation("createResource", "CreateResourceInput", "resource { id version }")
UPDATE_RESOURCE = mutation("updateResource", "UpdateResourceInput", "resource { name location isActive version }")
DEACTIVATE_RESOURCE = mutation("deactivateResource", "DeactivateResourceInput", "resource { isActive version }")
CREATE_BOOKING = mutation("createBooking", "CreateBookingInput", "booking { id }")
CREATE_TEMPLATE = mutation("createTaskTemplate", "CreateTaskTemplateInput", "template { id version isDefault }")
UPDATE_TEMPLATE = mutation("updateTaskTemplate", "UpdateTaskTemplateInput",
                           "template { name isDefault version retiredAt }")
RETIRE_TEMPLATE = mutation("retireTaskTemplate", "RetireTaskTemplateInput", "template { isDefault retiredAt }")
INSTANTIATE = mutation("instantiateTaskTemplate", "InstantiateTaskTemplateInput", "tasks { id }")
CREATE_PPA = mutation("createPpa", "CreatePpaInput", "ppa { id version }")
LINK_NEEDS = mutation("linkNeedsToPpa", "LinkNeedsToPpaInput", "linkedCount")
UNLINK_NEEDS = mutation("unlinkNeedsFromPpa", "UnlinkNeedsFromPpaInput", "unlinkedCount ppa { needs { title } }")
ARCHIVE_PPA = mutation("archivePpa", "ArchivePpaInput", "ppa { archivedAt version }")
PPAS = """query($filter: PpaFilter) { ppas(filter: $filter, first: 50) { edges { node { title archivedAt } } } }"""


async def test_need_moves_from_identified_to_prioritized_and_addressed(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()
    need = (await call(gql, CREATE_NEED, {"title": "Clean water"}, user))["need"]
    assert (need["status"], need["version"]) == ("IDENTIFIED", 1)
    skipped = await call(gql, UPDATE_NEED, {"id": need["id"], "expectedVersion": 1, "status": "ADDRESSED"}, user)
    assert (skipped["need"], codes(skipped)) == (None, [("INVALID_TRANSITION", "input.status")])
    assert "next: CLOSED, VALIDATED" in skipped["errors"][0]["message"]

    validated = await call(gql, UPDATE_NEED, {"id": need["id"], "expectedVersion": 1, "status": "VALIDATED"}, user)
    assert (validated["need"]["status"], validated["need"]["version"]) == ("VALIDATED", 2)
    no_score = await call(gql, UPDATE_NEED, {"id": need["id"], "expectedVersion": 2, "status": "PRIORITIZED"}, user)
    assert codes(no_score) == [("INVALID_TRANSITION", "input.status")]
    stale = await call(gql, UPDATE_NEED, {"id": need["id"], "expectedVersion": 1, "status": "PRIORITIZED",
                                          "priorityScore": 80}, user)
    assert (stale["need"], codes(stale)) == (None, [("CONFLICT", "input.expectedVersion")])
    out_of_range = await call(gql, UPDATE_NEED, {"id": need["id"], "expectedVersion": 2, "priorityScore": 101}, user)
    assert codes(out_of_range) == [("VALIDATION", "input.priorityScore")]

    prioritized = await call(gql, UPDATE_NEED, {"id": need["id"], "expectedVersion": 2, "status": "PRIORITIZED",
                                                "priorityScore": 87.5, "title": "Clean water for Hilltop"}, user)
    assert prioritized["need"] == {"id": need["id"], "status": "PRIORITIZED", "priorityScore": 87.5, "version": 3,
                                   "title": "Clean water for Hilltop"}
    addressed = await call(gql, UPDATE_NEED, {"id": need["id"], "expectedVersion": 3, "status": "ADDRESSED"}, user)
    assert addressed["need"]["status"] == "ADDRESSED"
    viewer = await make_user(Role.VIEWER)
    denied = await call(gql, UPDATE_NEED, {"id": need["id"], "expectedVersion": 4, "status": "CLOSED"}, viewer)
    assert [c for c, _ in codes(denied)] == ["PERMISSION_DENIED"]


async def test_assessment_phases_move_forward_one_at_a_time(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()
    created = (await call(gql, CREATE_ASSESSMENT, {"title": "Coastal survey", "planningOn": "2031-01-05"},
                          user))["assessment"]
    jump = await call(gql, UPDATE_ASSESSMENT, {"id": created["id"], "expectedVersion": 1, "status": "ANALYSIS"}, user)
    assert codes(jump) == [("INVALID_TRANSITION", "input.status")]
    bad_dates = await call(gql, UPDATE_ASSESSMENT, {"id": created["id"], "expectedVersion": 1,
                                                    "reportOn": "2030-12-31"}, user)
    assert codes(bad_dates) == [("VALIDATION", "input.reportOn")]
    version = 1
    for status in ("DATA_COLLECTION", "ANALYSIS", "COMPLETED"):
        moved = await call(gql, UPDATE_ASSESSMENT, {"id": created["id"], "expectedVersion": version,
                                                    "status": status}, user)
        assert moved["errors"] == [] and moved["assessment"]["status"] == status
        version = moved["assessment"]["version"]
    assert version == 4
    final = await call(gql, UPDATE_ASSESSMENT, {"id": created["id"], "expectedVersion": 4, "status": "PLANNED"}, user)
    assert "it is final" in final["errors"][0]["message"]


async def test_policy_is_adopted_with_an_effective_date_then_retired(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()
    policy = (await call(gql, CREATE_POLICY, {"title": "Water tariff ordinance"}, user))["policy"]
    early = await call(gql, UPDATE_POLICY, {"id": policy["id"], "expectedVersion": 1, "status": "ADOPTED"}, user)
    assert codes(early) == [("INVALID_TRANSITION", "input.status")]
    review = await call(gql, UPDATE_POLICY, {"id": policy["id"], "expectedVersion": 1, "status": "UNDER_REVIEW"}, user)
    undated = await call(gql, UPDATE_POLICY, {"id": policy["id"], "expectedVersion": 2, "status": "ADOPTED"}, user)
    assert (review["policy"]["status"], codes(undated)) == ("UNDER_REVIEW", [("INVALID_TRANSITION", "input.status")])
    backwards = await call(gql, UPDATE_POLICY, {"id": policy["id"], "expectedVersion": 2, "effectiveOn": "2031-06-01",
                                                "reviewOn": "2031-01-01"}, user)
    assert codes(backwards) == [("VALIDATION", "input.reviewOn")]
    adopted = await call(gql, UPDATE_POLICY, {"id": policy["id"], "expectedVersion": 2, "status": "ADOPTED",
                                              "effectiveOn": "2031-01-01", "reviewOn": "2032-01-01"}, user)
    assert adopted["policy"] == {"status": "ADOPTED", "version": 3, "effectiveOn": "2031-01-01",
                                 "reviewOn": "2032-01-01"}
    retired = await call(gql, UPDATE_POLICY, {"id": policy["id"], "expectedVersion": 3, "status": "RETIRED"}, user)
    assert retired["policy"]["status"] == "RETIRED"


async def test_resource_is_edited_and_deactivated_and_then_takes_no_bookings(
    gql: GraphQL, make_user: UserFactory
) -> None:
    manager, staff = await make_user(Role.MANAGER), await make_user()
    resource = (await call(gql, CREATE_RESOURCE, {"name": "Van 1", "kind": "VEHICLE"}, manager))["resource"]
    denied = await call(gql, UPDATE_RESOURCE, {"id": resource["id"], "expectedVersion": 1, "name": "X"}, staff)
    assert [c for c, _ in codes(denied)] == ["PERMISSION_DENIED"]
    edited = await call(gql, UPDATE_RESOURCE, {"id": resource["id"], "expectedVersion": 1, "name": "Van 1 (white)",
                                               "location": "Motor pool"}, manager)
    assert edited["resource"] == {"name": "Van 1 (white)", "location": "Motor pool", "isActive": True, "version": 2}
    stale = await call(gql, DEACTIVATE_RESOURCE, {"id": resource["id"], "expectedVersion": 1}, manager)
    assert codes(stale) == [("CONFLICT", "input.expectedVersion")]
    off = await call(gql, DEACTIVATE_RESOURCE, {"id": resource["id"], "expectedVersion": 2}, manager)
    assert off["resource"] == {"isActive": False, "version": 3}
    booking = await call(gql, CREATE_BOOKING, {"resourceId": resource["id"], "startsAt": "2031-03-02T01:00:00Z",
                                               "endsAt": "2031-03-02T03:00:00Z"}, staff)
    assert booking["booking"] is None and booking["errors"]


async def test_task_template_is_edited_and_retired_and_then_not_instantiated(
    gql: GraphQL, make_user: UserFactory
) -> None:
    manager = await make_user(Role.MANAGER)
    template = (await call(gql, CREATE_TEMPLATE, {"name": "Site visit", "kind": "GENERIC",
                                                  "items": [{"title": "Book a vehicle", "offsetDays": 0}]},
                           manager))["template"]
    edited = await call(gql, UPDATE_TEMPLATE, {"id": template["id"], "expectedVersion": 1, "name": "Site visit v2",
                                               "isDefault": True}, manager)
    assert edited["template"] == {"name": "Site visit v2", "isDefault": True, "version": 2, "retiredAt": None}
    retired = await call(gql, RETIRE_TEMPLATE, {"id": template["id"], "expectedVersion": 2}, manager)
    assert retired["template"]["isDefault"] is False and retired["template"]["retiredAt"]
    again = await call(gql, RETIRE_TEMPLATE, {"id": template["id"], "expectedVersion": 3}, manager)
    assert codes(again) == [("INVALID_TRANSITION", "input.id")]
    used = await call(gql, INSTANTIATE, {"templateId": template["id"], "startDate": "2031-01-01"}, manager)
    assert codes(used) == [("INVALID_TRANSITION", "input.templateId")]


async def test_ppa_is_archived_out_of_default_lists_and_needs_are_unlinked(
    gql: GraphQL, make_user: UserFactory
) -> None:
    user = await make_user()
    ppa = (await call(gql, CREATE_PPA, {"title": "Archive me road", "category": "PROJECT"}, user))["ppa"]
    need_ids = [(await call(gql, CREATE_NEED, {"title": title}, user))["need"]["id"] for title in ("Road", "Bridge")]
    assert (await call(gql, LINK_NEEDS, {"ppaId": ppa["id"], "needIds": need_ids}, user))["linkedCount"] == 2
    unlinked = await call(gql, UNLINK_NEEDS, {"ppaId": ppa["id"], "needIds": [need_ids[0]]}, user)
    assert (unlinked["unlinkedCount"], unlinked["ppa"]["needs"]) == (1, [{"title": "Bridge"}])
    repeated = await call(gql, UNLINK_NEEDS, {"ppaId": ppa["id"], "needIds": [need_ids[0]]}, user)
    assert repeated["unlinkedCount"] == 0

    archived = await call(gql, ARCHIVE_PPA, {"id": ppa["id"], "expectedVersion": ppa["version"]}, user)
    assert archived["errors"] == [] and archived["ppa"]["archivedAt"]
    listed = await gql(PPAS, {"filter": {"search": "Archive me"}}, user=user)
    assert listed["data"]["ppas"]["edges"] == []
    everything = await gql(PPAS, {"filter": {"search": "Archive me", "includeArchived": True}}, user=user)
    assert [e["node"]["title"] for e in everything["data"]["ppas"]["edges"]] == ["Archive me road"]
    twice = await call(gql, ARCHIVE_PPA, {"id": ppa["id"], "expectedVersion": archived["ppa"]["version"]}, user)
    assert codes(twice) == [("INVALID_TRANSITION", "input.id")]
