"""The PPA story of the demo data, as pure functions (no I/O): stage, budget, dates, tasks.

A PPA's stage decides everything else, by the project's own rules:
- budget: nothing submitted before BUDGET_APPROVAL (a PROPOSAL may hold a budget
  RETURNED for revision), any decision state during it, APPROVED after it
  (``db.rules.ppa_workflow.budget_statuses_allowed``);
- tasks: the checklist items of the phases already passed are DONE, the next one
  is in progress, the rest are open; progress is then computed from them by
  ``db.queries.task.recompute_ppa_progress`` (``db.rules.progress``);
- risk, for real reasons: every seventh open PPA has its current task and
  milestone overdue, every eleventh has sat in its stage for 80 days (stalled).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from db.demo_catalog import PPA_CHECKLIST
from db.enums import BudgetStage, BudgetStatus, PpaCategory, PpaStage, PpaStatus, TaskStatus

STAGES = tuple(PpaStage)
# Checklist items DONE when a PPA is in each stage (PPA_CHECKLIST is in doing order).
DONE_BY_STAGE = dict(zip(STAGES, (1, 2, 5, 8, 11, 16, 22, 24, len(PPA_CHECKLIST)), strict=True))
# Four milestones, each reached when the PPA leaves the stage named here.
MILESTONES: tuple[tuple[str, PpaStage], ...] = (
    ("Proposal endorsed by the partner ministry", PpaStage.PROPOSAL),
    ("Budget approved", PpaStage.BUDGET_APPROVAL),
    ("Contract awarded", PpaStage.PROCUREMENT),
    ("Project turned over to the community", PpaStage.EVALUATION),
)
# Budget in BUDGET_APPROVAL, cycled over the PPAs there: (budget stage, status).
IN_APPROVAL = (
    (BudgetStage.TECHNICAL_REVIEW, BudgetStatus.IN_REVIEW),
    (BudgetStage.BUDGET_HEARING, BudgetStatus.IN_REVIEW),
    (BudgetStage.EXECUTIVE_REVIEW, BudgetStatus.IN_REVIEW),
    (BudgetStage.LEGISLATIVE_APPROVAL, BudgetStatus.APPROVED),  # ready for procurement
    (BudgetStage.PREPARATION, BudgetStatus.RETURNED),
    (BudgetStage.BUDGET_HEARING, BudgetStatus.REJECTED),  # the PPA was then cancelled
    (BudgetStage.PREPARATION, BudgetStatus.NOT_SUBMITTED),
)
THEME_BUDGETS = (2_450_000, 7_800_000, 3_150_000, 4_400_000, 1_250_000, 500_000, 350_000, 1_500_000,
                 5_900_000, 880_000)
THEME_CATEGORIES = {5: PpaCategory.PROGRAM, 6: PpaCategory.ACTIVITY, 7: PpaCategory.PROGRAM}


@dataclass(frozen=True, slots=True)
class PpaPlan:
    stage: PpaStage
    status: PpaStatus
    category: PpaCategory
    budget_stage: BudgetStage
    budget_status: BudgetStatus
    budget_allocated: Decimal
    budget_approved: Decimal | None
    starts_on: date
    ends_on: date
    stage_entered_on: date
    overdue: bool  # current task and milestone past due
    stalled: bool


def plan_ppa(p: int, theme: int, today: date) -> PpaPlan:
    stage = STAGES[p % len(STAGES)]
    k = STAGES.index(stage)
    budget_stage, budget_status = BudgetStage.PREPARATION, BudgetStatus.NOT_SUBMITTED
    if stage == PpaStage.PROPOSAL and p % 3 == 0:
        budget_status = BudgetStatus.RETURNED  # sent back from the budget committee for revision
    elif stage == PpaStage.BUDGET_APPROVAL:
        budget_stage, budget_status = IN_APPROVAL[(p // len(STAGES)) % len(IN_APPROVAL)]
    elif k > STAGES.index(PpaStage.BUDGET_APPROVAL):
        budget_stage, budget_status = BudgetStage.LEGISLATIVE_APPROVAL, BudgetStatus.APPROVED
    allocated = Decimal(THEME_BUDGETS[theme] + 25_000 * (p % 7))
    approved = (allocated * Decimal("0.95")).quantize(Decimal("1.00")) if budget_status == BudgetStatus.APPROVED else None
    status = PpaStatus.ACTIVE
    if stage == PpaStage.COMPLETED:
        status = PpaStatus.COMPLETED
    elif budget_status == BudgetStatus.REJECTED:
        status = PpaStatus.CANCELLED
    elif stage == PpaStage.IMPLEMENTATION and p % 4 == 1:
        status = PpaStatus.ON_HOLD  # waiting for the rainy season to end
    is_open = status in (PpaStatus.ACTIVE, PpaStatus.ON_HOLD)
    starts_on = today - timedelta(days=30 * k + 20)
    ends_on = today - timedelta(days=15) if stage == PpaStage.COMPLETED else starts_on + timedelta(days=330)
    stalled = is_open and status == PpaStatus.ACTIVE and p % 11 == 5
    stage_entered_on = today - timedelta(days=80 if stalled else 5 + p % 20)
    starts_on = min(starts_on, stage_entered_on - timedelta(days=10))
    return PpaPlan(
        stage=stage, status=status, category=THEME_CATEGORIES.get(theme, PpaCategory.PROJECT),
        budget_stage=budget_stage, budget_status=budget_status, budget_allocated=allocated,
        budget_approved=approved, starts_on=starts_on, ends_on=ends_on,
        stage_entered_on=stage_entered_on,
        overdue=is_open and p % 7 == 3, stalled=stalled,
    )


@dataclass(frozen=True, slots=True)
class TaskPlan:
    phase: str
    title: str
    status: TaskStatus
    due_on: date


def plan_tasks(plan: PpaPlan, today: date) -> list[TaskPlan]:
    done = DONE_BY_STAGE[plan.stage]
    tasks = []
    for i, (phase, title) in enumerate(PPA_CHECKLIST):
        if i < done:
            status, due = TaskStatus.DONE, today - timedelta(days=7 * (done - i) + 3)
        elif plan.status == PpaStatus.CANCELLED:
            status, due = TaskStatus.CANCELLED, today + timedelta(days=7 * (i - done + 1))
        elif i == done:
            status = TaskStatus.BLOCKED if plan.status == PpaStatus.ON_HOLD else TaskStatus.IN_PROGRESS
            due = today - timedelta(days=6) if plan.overdue else today + timedelta(days=5)
        else:
            status = TaskStatus.REVIEW if i == done + 1 and i % 2 == 0 else TaskStatus.TODO
            due = today + timedelta(days=7 * (i - done) + 5)
        tasks.append(TaskPlan(phase=phase, title=title, status=status, due_on=due))
    return tasks


def plan_milestones(plan: PpaPlan, today: date) -> list[tuple[str, date, bool]]:
    """(title, due date, completed) for the PPA's four milestones."""
    k = STAGES.index(plan.stage)
    result = []
    first_open = True
    for title, left_stage in MILESTONES:
        reached = k > STAGES.index(left_stage)
        if reached:
            due = today - timedelta(days=30 * (k - STAGES.index(left_stage)))
        elif first_open and plan.overdue:
            due = today - timedelta(days=10)
        else:
            due = today + timedelta(days=30 * (STAGES.index(left_stage) - k + 1))
        first_open = first_open and reached
        result.append((title, due, reached))
    return result
