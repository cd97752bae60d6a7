"""The PPA workflow and budget rules on their own (no database)."""
from __future__ import annotations

import pytest

from db.enums import BudgetDecision, BudgetStage, BudgetStatus, PpaStage, PpaStatus
from db.rules.ppa_workflow import (
    BudgetOutcome,
    TransitionRefused,
    allowed_stage_targets,
    check_stage_move,
    decide_budget,
    status_after_stage,
)

S = PpaStage
EXPECTED_TARGETS: dict[PpaStage, set[PpaStage]] = {
    S.NEED_IDENTIFICATION: {S.PLANNING},
    S.PLANNING: {S.PROPOSAL},
    S.PROPOSAL: {S.BUDGET_APPROVAL, S.PLANNING},
    S.BUDGET_APPROVAL: {S.PROCUREMENT, S.PROPOSAL},  # PROCUREMENT only with an APPROVED budget
    S.PROCUREMENT: {S.IMPLEMENTATION},
    S.IMPLEMENTATION: {S.MONITORING},
    S.MONITORING: {S.EVALUATION, S.IMPLEMENTATION},
    S.EVALUATION: {S.COMPLETED, S.IMPLEMENTATION},
    S.COMPLETED: set(),
}


@pytest.mark.parametrize("current", list(PpaStage))
@pytest.mark.parametrize("target", list(PpaStage))
def test_every_pair_of_stages_follows_the_table(current: PpaStage, target: PpaStage) -> None:
    allowed = target in EXPECTED_TARGETS[current]
    if allowed:
        check_stage_move(current, target, PpaStatus.ACTIVE, BudgetStatus.APPROVED)
    else:
        with pytest.raises(TransitionRefused):
            check_stage_move(current, target, PpaStatus.ACTIVE, BudgetStatus.APPROVED)


@pytest.mark.parametrize("budget", [s for s in BudgetStatus if s != BudgetStatus.APPROVED])
def test_procurement_needs_an_approved_budget(budget: BudgetStatus) -> None:
    with pytest.raises(TransitionRefused) as refused:
        check_stage_move(S.BUDGET_APPROVAL, S.PROCUREMENT, PpaStatus.ACTIVE, budget)
    assert str(refused.value) == (
        f"Cannot move from BUDGET_APPROVAL to PROCUREMENT: procurement needs an APPROVED budget "
        f"(it is {budget.value}). Allowed targets: PROPOSAL."
    )
    assert allowed_stage_targets(S.BUDGET_APPROVAL, PpaStatus.ACTIVE, budget) == (S.PROPOSAL,)


def test_refusal_names_the_allowed_targets() -> None:
    with pytest.raises(TransitionRefused) as refused:
        check_stage_move(S.PLANNING, S.IMPLEMENTATION, PpaStatus.ACTIVE, BudgetStatus.NOT_SUBMITTED)
    assert str(refused.value) == (
        "Cannot move from PLANNING to IMPLEMENTATION: this move is not in the workflow. Allowed targets: PROPOSAL."
    )


@pytest.mark.parametrize("status", [PpaStatus.CANCELLED, PpaStatus.COMPLETED])
def test_cancelled_or_completed_ppas_do_not_move(status: PpaStatus) -> None:
    assert allowed_stage_targets(S.PLANNING, status, BudgetStatus.APPROVED) == ()
    with pytest.raises(TransitionRefused, match=f"the PPA is {status.value}. Allowed targets: none"):
        check_stage_move(S.PLANNING, S.PROPOSAL, status, BudgetStatus.APPROVED)


def test_on_hold_ppas_may_move_and_completed_stage_completes() -> None:
    check_stage_move(S.PLANNING, S.PROPOSAL, PpaStatus.ON_HOLD, BudgetStatus.NOT_SUBMITTED)
    assert status_after_stage(S.COMPLETED, PpaStatus.ACTIVE) == PpaStatus.COMPLETED
    assert status_after_stage(S.MONITORING, PpaStatus.ON_HOLD) == PpaStatus.ON_HOLD


def test_approvals_walk_the_five_budget_stages() -> None:
    stage, status = BudgetStage.PREPARATION, BudgetStatus.NOT_SUBMITTED
    seen = []
    for _ in range(5):
        outcome = decide_budget(stage, status, BudgetDecision.APPROVE)
        seen.append(outcome)
        stage, status = outcome.stage, outcome.status
    assert seen == [
        BudgetOutcome(BudgetStage.TECHNICAL_REVIEW, BudgetStatus.IN_REVIEW, False),
        BudgetOutcome(BudgetStage.BUDGET_HEARING, BudgetStatus.IN_REVIEW, False),
        BudgetOutcome(BudgetStage.EXECUTIVE_REVIEW, BudgetStatus.IN_REVIEW, False),
        BudgetOutcome(BudgetStage.LEGISLATIVE_APPROVAL, BudgetStatus.IN_REVIEW, False),
        BudgetOutcome(BudgetStage.LEGISLATIVE_APPROVAL, BudgetStatus.APPROVED, True),
    ]


def test_return_for_revision_and_reject() -> None:
    assert decide_budget(BudgetStage.BUDGET_HEARING, BudgetStatus.IN_REVIEW, BudgetDecision.RETURN_FOR_REVISION) == \
        BudgetOutcome(BudgetStage.PREPARATION, BudgetStatus.RETURNED, False)
    assert decide_budget(BudgetStage.PREPARATION, BudgetStatus.RETURNED, BudgetDecision.APPROVE) == \
        BudgetOutcome(BudgetStage.TECHNICAL_REVIEW, BudgetStatus.IN_REVIEW, False)
    assert decide_budget(BudgetStage.EXECUTIVE_REVIEW, BudgetStatus.IN_REVIEW, BudgetDecision.REJECT) == \
        BudgetOutcome(BudgetStage.EXECUTIVE_REVIEW, BudgetStatus.REJECTED, False)


@pytest.mark.parametrize("closed", [BudgetStatus.APPROVED, BudgetStatus.REJECTED])
@pytest.mark.parametrize("decision", list(BudgetDecision))
def test_a_closed_budget_takes_no_decision(closed: BudgetStatus, decision: BudgetDecision) -> None:
    with pytest.raises(TransitionRefused, match=f"already {closed.value}"):
        decide_budget(BudgetStage.LEGISLATIVE_APPROVAL, closed, decision)
