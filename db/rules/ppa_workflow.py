"""The PPA workflow and the budget approval, as pure functions (no I/O).

Stage moves: one step forward, or one of the explicit backward moves below.
Leaving BUDGET_APPROVAL for PROCUREMENT needs an APPROVED budget. A COMPLETED
or CANCELLED PPA does not move.

Budget decisions walk the five budget stages: APPROVE moves to the next stage
(at the last one the budget becomes APPROVED), RETURN_FOR_REVISION sends it back
to PREPARATION as RETURNED, REJECT ends it as REJECTED. An APPROVED or REJECTED
budget takes no further decision.
"""
from __future__ import annotations

from dataclasses import dataclass

from db.enums import BudgetDecision, BudgetStage, BudgetStatus, PpaStage, PpaStatus

STAGES: tuple[PpaStage, ...] = tuple(PpaStage)
BUDGET_STAGES: tuple[BudgetStage, ...] = tuple(BudgetStage)

# Backward moves the office allows (rework loops); everything else backward is refused.
BACKWARD_MOVES: dict[PpaStage, tuple[PpaStage, ...]] = {
    PpaStage.PROPOSAL: (PpaStage.PLANNING,),  # proposal sent back for re-planning
    PpaStage.BUDGET_APPROVAL: (PpaStage.PROPOSAL,),  # budget returned: revise the proposal
    PpaStage.MONITORING: (PpaStage.IMPLEMENTATION,),  # corrective action found while monitoring
    PpaStage.EVALUATION: (PpaStage.IMPLEMENTATION,),  # evaluation finds unfinished work
}

FINAL_BUDGET_STATUSES = frozenset({BudgetStatus.APPROVED, BudgetStatus.REJECTED})
FROZEN_PPA_STATUSES = frozenset({PpaStatus.CANCELLED, PpaStatus.COMPLETED})


class TransitionRefused(Exception):
    """A move or decision the rules do not allow; the message names what is allowed."""


def next_stage(stage: PpaStage) -> PpaStage | None:
    index = STAGES.index(stage)
    return STAGES[index + 1] if index + 1 < len(STAGES) else None


def stage_targets(stage: PpaStage) -> tuple[PpaStage, ...]:
    """Every stage reachable from ``stage`` by the transition table (guards aside)."""
    forward = next_stage(stage)
    return ((forward,) if forward else ()) + BACKWARD_MOVES.get(stage, ())


def allowed_stage_targets(stage: PpaStage, status: PpaStatus, budget_status: BudgetStatus) -> tuple[PpaStage, ...]:
    """The stages a PPA may move to now, guards applied."""
    if status in FROZEN_PPA_STATUSES:
        return ()
    return tuple(t for t in stage_targets(stage) if _guard(stage, t, budget_status) is None)


def _guard(current: PpaStage, target: PpaStage, budget_status: BudgetStatus) -> str | None:
    if current == PpaStage.BUDGET_APPROVAL and target == PpaStage.PROCUREMENT and budget_status != BudgetStatus.APPROVED:
        return f"procurement needs an APPROVED budget (it is {budget_status.value})"
    return None


def check_stage_move(
    current: PpaStage, target: PpaStage, status: PpaStatus, budget_status: BudgetStatus
) -> None:
    """Raise TransitionRefused unless ``current -> target`` is allowed now."""
    allowed = allowed_stage_targets(current, status, budget_status)
    if target in allowed:
        return
    names = ", ".join(s.value for s in allowed) or "none"
    if status in FROZEN_PPA_STATUSES:
        reason = f"the PPA is {status.value}"
    elif target == current:
        reason = f"the PPA is already in {current.value}"
    else:
        guard = _guard(current, target, budget_status) if target in stage_targets(current) else None
        reason = guard or "this move is not in the workflow"
    raise TransitionRefused(
        f"Cannot move from {current.value} to {target.value}: {reason}. Allowed targets: {names}."
    )


def budget_statuses_allowed(stage: PpaStage) -> frozenset[BudgetStatus]:
    """The budget statuses a PPA can hold in ``stage`` under these rules.

    Past BUDGET_APPROVAL only APPROVED: leaving for PROCUREMENT needs it and an
    APPROVED budget takes no further decision. Up to BUDGET_APPROVAL any status
    (decisions are not tied to a stage, and backward moves keep the budget).
    """
    if STAGES.index(stage) > STAGES.index(PpaStage.BUDGET_APPROVAL):
        return frozenset({BudgetStatus.APPROVED})
    return frozenset(BudgetStatus)


def budget_stage_matches(budget_stage: BudgetStage, status: BudgetStatus) -> bool:
    """Whether ``decide_budget`` can leave a budget at ``budget_stage`` with ``status``."""
    if status in (BudgetStatus.NOT_SUBMITTED, BudgetStatus.RETURNED):
        return budget_stage == BudgetStage.PREPARATION
    if status == BudgetStatus.IN_REVIEW:
        return budget_stage != BudgetStage.PREPARATION
    if status == BudgetStatus.APPROVED:
        return budget_stage == BUDGET_STAGES[-1]
    return True  # REJECTED: at whichever stage rejected it


def status_after_stage(stage: PpaStage, status: PpaStatus) -> PpaStatus:
    """Reaching COMPLETED completes the PPA; other moves keep its status."""
    return PpaStatus.COMPLETED if stage == PpaStage.COMPLETED else status


@dataclass(frozen=True, slots=True)
class BudgetOutcome:
    stage: BudgetStage
    status: BudgetStatus
    approved: bool  # the last stage approved: the approved amount is now fixed


def decide_budget(stage: BudgetStage, status: BudgetStatus, decision: BudgetDecision) -> BudgetOutcome:
    """The budget stage and status after ``decision``; TransitionRefused on a closed budget."""
    if status in FINAL_BUDGET_STATUSES:
        raise TransitionRefused(
            f"The budget is already {status.value}; no further decision can be recorded."
        )
    if decision == BudgetDecision.REJECT:
        return BudgetOutcome(stage=stage, status=BudgetStatus.REJECTED, approved=False)
    if decision == BudgetDecision.RETURN_FOR_REVISION:
        return BudgetOutcome(stage=BudgetStage.PREPARATION, status=BudgetStatus.RETURNED, approved=False)
    index = BUDGET_STAGES.index(stage)
    if index + 1 == len(BUDGET_STAGES):
        return BudgetOutcome(stage=stage, status=BudgetStatus.APPROVED, approved=True)
    return BudgetOutcome(stage=BUDGET_STAGES[index + 1], status=BudgetStatus.IN_REVIEW, approved=False)
