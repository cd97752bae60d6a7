"""advancePpaStage and decideBudget through GraphQL: rules, permissions and recorded history."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import BudgetStatus, PpaStage, Role
from db.models import AuditLog, ChangeLog, PpaTransition
from tests.conftest import GraphQL, UserFactory
from tests.ppa.helpers import add_ppa, gid

ADVANCE = """
mutation Advance($input: AdvancePpaStageInput!) {
  advancePpaStage(input: $input) {
    ppa { stage status version allowedStages }
    transition { kind fromStage toStage decision note actor { name } }
    errors { code field message }
  }
}
"""
DECIDE = """
mutation Decide($input: DecideBudgetInput!) {
  decideBudget(input: $input) {
    ppa { budgetStage budgetStatus budgetApproved }
    transition { kind fromStage toStage decision note actor { name } }
    errors { code field message }
  }
}
"""
HISTORY = """
query History($id: ID!) {
  node(id: $id) { ... on Ppa { transitions { kind fromStage toStage decision note actor { name } } } }
}
"""


async def advance(gql: GraphQL, user: object, ppa_id: int, to: str, note: str = "") -> dict:
    body = await gql(ADVANCE, {"input": {"ppaId": gid("Ppa", ppa_id), "toStage": to, "note": note}}, user=user)
    assert "errors" not in body, body
    return body["data"]["advancePpaStage"]


async def decide(gql: GraphQL, user: object, ppa_id: int, decision: str, **extra: object) -> dict:
    body = await gql(DECIDE, {"input": {"ppaId": gid("Ppa", ppa_id), "decision": decision, **extra}}, user=user)
    assert "errors" not in body, body
    return body["data"]["decideBudget"]


async def test_forward_moves_and_history_with_actor_and_note(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    # given a PPA in NEED_IDENTIFICATION
    user = await make_user(Role.STAFF, name="Sam Staff")
    ppa = await add_ppa(session, owner_id=user.id)

    # when it moves to PLANNING with a note
    moved = await advance(gql, user, ppa.id, "PLANNING", note="Need validated at the barangay assembly")

    # then the PPA, the transition and the history say so
    assert moved == {
        "ppa": {"stage": "PLANNING", "status": "ACTIVE", "version": 2, "allowedStages": ["PROPOSAL"]},
        "transition": {"kind": "STAGE", "fromStage": "NEED_IDENTIFICATION", "toStage": "PLANNING", "decision": None,
                       "note": "Need validated at the barangay assembly", "actor": {"name": "Sam Staff"}},
        "errors": [],
    }
    history = await gql(HISTORY, {"id": gid("Ppa", ppa.id)}, user=user)
    assert history["data"]["node"]["transitions"] == [moved["transition"]]
    change = (await session.scalars(select(ChangeLog).where(ChangeLog.entity_type == "Ppa"))).one()
    assert (change.op.value, change.actor_id, change.payload["stage"], change.payload["from_stage"]) == \
        ("UPDATED", user.id, "PLANNING", "NEED_IDENTIFICATION")
    audit = (await session.scalars(select(AuditLog).where(AuditLog.entity_id == ppa.id))).one()
    assert (audit.action, audit.before, audit.after) == (
        "advance_stage", {"stage": "NEED_IDENTIFICATION", "status": "ACTIVE"},
        {"stage": "PLANNING", "status": "ACTIVE", "note": "Need validated at the barangay assembly"},
    )


async def test_invalid_moves_answer_invalid_transition_naming_allowed_targets(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    user = await make_user()
    ppa = await add_ppa(session, stage=PpaStage.PLANNING, owner_id=user.id)

    skipped = await advance(gql, user, ppa.id, "IMPLEMENTATION")
    same = await advance(gql, user, ppa.id, "PLANNING")
    backward = await advance(gql, user, ppa.id, "NEED_IDENTIFICATION")

    assert skipped == {"ppa": None, "transition": None, "errors": [{
        "code": "INVALID_TRANSITION", "field": "input.toStage",
        "message": "Cannot move from PLANNING to IMPLEMENTATION: this move is not in the workflow. "
                   "Allowed targets: PROPOSAL."}]}
    assert same["errors"][0]["message"] == (
        "Cannot move from PLANNING to PLANNING: the PPA is already in PLANNING. Allowed targets: PROPOSAL."
    )
    assert backward["errors"][0]["code"] == "INVALID_TRANSITION"
    assert (await session.scalars(select(PpaTransition).where(PpaTransition.ppa_id == ppa.id))).all() == []


async def test_allowed_backward_move_and_completion(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    user = await make_user()
    ppa = await add_ppa(session, stage=PpaStage.MONITORING, owner_id=user.id)

    back = await advance(gql, user, ppa.id, "IMPLEMENTATION", note="Corrective works")
    assert back["ppa"]["stage"] == "IMPLEMENTATION" and back["errors"] == []
    for stage in ("MONITORING", "EVALUATION", "COMPLETED"):
        assert (await advance(gql, user, ppa.id, stage))["errors"] == []
    done = await advance(gql, user, ppa.id, "EVALUATION")
    assert done["errors"][0]["message"] == (
        "Cannot move from COMPLETED to EVALUATION: the PPA is COMPLETED. Allowed targets: none."
    )
    status = await gql(HISTORY.replace("transitions { kind fromStage toStage decision note actor { name } }",
                                       "status stage"), {"id": gid("Ppa", ppa.id)}, user=user)
    assert status["data"]["node"] == {"status": "COMPLETED", "stage": "COMPLETED"}


async def test_procurement_waits_for_the_approved_budget(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    # given a PPA in BUDGET_APPROVAL whose budget is still in review
    staff, manager = await make_user(Role.STAFF), await make_user(Role.MANAGER, name="Mia Manager")
    ppa = await add_ppa(session, stage=PpaStage.BUDGET_APPROVAL, budget_allocated=Decimal("900000.00"),
                        owner_id=staff.id)

    # then procurement is refused until the five budget stages are approved
    refused = await advance(gql, staff, ppa.id, "PROCUREMENT")
    assert refused["errors"] == [{
        "code": "INVALID_TRANSITION", "field": "input.toStage",
        "message": "Cannot move from BUDGET_APPROVAL to PROCUREMENT: procurement needs an APPROVED budget "
                   "(it is NOT_SUBMITTED). Allowed targets: PROPOSAL."}]
    stages = []
    for _ in range(5):
        result = await decide(gql, manager, ppa.id, "APPROVE", note="ok")
        assert result["errors"] == []
        stages.append((result["ppa"]["budgetStage"], result["ppa"]["budgetStatus"], result["ppa"]["budgetApproved"]))
    assert stages == [
        ("TECHNICAL_REVIEW", "IN_REVIEW", None), ("BUDGET_HEARING", "IN_REVIEW", None),
        ("EXECUTIVE_REVIEW", "IN_REVIEW", None), ("LEGISLATIVE_APPROVAL", "IN_REVIEW", None),
        ("LEGISLATIVE_APPROVAL", "APPROVED", "900000.00"),
    ]
    allowed = await advance(gql, staff, ppa.id, "PROCUREMENT", note="Budget approved")
    assert allowed["ppa"]["stage"] == "PROCUREMENT" and allowed["errors"] == []


async def test_budget_decisions_permission_revision_reject_and_closed_budget(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    staff, admin = await make_user(Role.STAFF), await make_user(Role.ADMIN, name="Ada Admin")
    ppa = await add_ppa(session, stage=PpaStage.BUDGET_APPROVAL, budget_allocated=Decimal("500.00"))
    other = await add_ppa(session, title="Other", stage=PpaStage.BUDGET_APPROVAL)

    denied = await decide(gql, staff, ppa.id, "APPROVE")
    viewer = await decide(gql, await make_user(Role.VIEWER), ppa.id, "APPROVE")
    assert denied["errors"][0]["code"] == viewer["errors"][0]["code"] == "PERMISSION_DENIED"

    await decide(gql, admin, ppa.id, "APPROVE")
    returned = await decide(gql, admin, ppa.id, "RETURN_FOR_REVISION", note="Costing incomplete")
    assert returned == {
        "ppa": {"budgetStage": "PREPARATION", "budgetStatus": "RETURNED", "budgetApproved": None},
        "transition": {"kind": "BUDGET", "fromStage": "TECHNICAL_REVIEW", "toStage": "PREPARATION",
                       "decision": "RETURN_FOR_REVISION", "note": "Costing incomplete", "actor": {"name": "Ada Admin"}},
        "errors": [],
    }
    early_amount = await decide(gql, admin, ppa.id, "APPROVE", approvedAmount="10.00")
    assert early_amount["errors"][0]["field"] == "input.approvedAmount"
    for _ in range(4):
        await decide(gql, admin, ppa.id, "APPROVE")
    final = await decide(gql, admin, ppa.id, "APPROVE", approvedAmount="450.25")
    assert final["ppa"] == {"budgetStage": "LEGISLATIVE_APPROVAL", "budgetStatus": "APPROVED", "budgetApproved": "450.25"}
    again = await decide(gql, admin, ppa.id, "REJECT")
    assert again == {"ppa": None, "transition": None, "errors": [{
        "code": "INVALID_TRANSITION", "field": "input.decision",
        "message": "The budget is already APPROVED; no further decision can be recorded."}]}

    rejected = await decide(gql, admin, other.id, "REJECT", note="Out of scope")
    assert rejected["ppa"]["budgetStatus"] == "REJECTED"
    after_reject = await decide(gql, admin, other.id, "APPROVE")
    assert after_reject["errors"][0]["code"] == "INVALID_TRANSITION"

    budget_rows = (await session.scalars(select(PpaTransition).where(PpaTransition.ppa_id == ppa.id)
                                         .order_by(PpaTransition.id))).all()
    assert [(t.decision.value, t.from_stage, t.to_stage, t.actor_id) for t in budget_rows] == [
        ("APPROVE", "PREPARATION", "TECHNICAL_REVIEW", admin.id),
        ("RETURN_FOR_REVISION", "TECHNICAL_REVIEW", "PREPARATION", admin.id),
        ("APPROVE", "PREPARATION", "TECHNICAL_REVIEW", admin.id),
        ("APPROVE", "TECHNICAL_REVIEW", "BUDGET_HEARING", admin.id),
        ("APPROVE", "BUDGET_HEARING", "EXECUTIVE_REVIEW", admin.id),
        ("APPROVE", "EXECUTIVE_REVIEW", "LEGISLATIVE_APPROVAL", admin.id),
        ("APPROVE", "LEGISLATIVE_APPROVAL", "LEGISLATIVE_APPROVAL", admin.id),
    ]
    assert (await session.get(type(ppa), ppa.id)) is not None
    await session.refresh(ppa)
    assert ppa.budget_status == BudgetStatus.APPROVED


async def test_expected_version_and_wrong_ids(gql: GraphQL, make_user: UserFactory, session: AsyncSession) -> None:
    user = await make_user()
    ppa = await add_ppa(session, owner_id=user.id)
    stale = await gql(ADVANCE, {"input": {"ppaId": gid("Ppa", ppa.id), "toStage": "PLANNING", "expectedVersion": 7}},
                      user=user)
    wrong_type = await gql(
        ADVANCE, {"input": {"ppaId": gid("Need", ppa.id), "toStage": "PLANNING"}}, user=user)
    missing = await gql(ADVANCE, {"input": {"ppaId": gid("Ppa", 999_999_999), "toStage": "PLANNING"}}, user=user)
    long_note = await gql(ADVANCE, {"input": {"ppaId": gid("Ppa", ppa.id), "toStage": "PLANNING", "note": "n" * 2001}},
                          user=user)
    assert [e["code"] for e in stale["data"]["advancePpaStage"]["errors"]] == ["CONFLICT"]
    assert wrong_type["data"]["advancePpaStage"]["errors"][0]["code"] == "VALIDATION"
    assert missing["data"]["advancePpaStage"]["errors"][0]["code"] == "NOT_FOUND"
    assert long_note["data"]["advancePpaStage"]["errors"][0]["field"] == "input.note"
