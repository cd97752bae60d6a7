"""Which status moves are allowed for needs, assessments and policies (no I/O).

Needs: IDENTIFIED -> VALIDATED -> PRIORITIZED -> ADDRESSED, and any open need may be
CLOSED (dropped, duplicate, resolved elsewhere). A need is PRIORITIZED only with a
priority score. Assessments move forward one phase at a time (PLANNED -> DATA_COLLECTION
(fieldwork) -> ANALYSIS -> REPORTING -> COMPLETED); REPORTING may be skipped. Policies:
DRAFT -> UNDER_REVIEW -> ADOPTED -> RETIRED; a review may send a draft back; a policy
is ADOPTED only with an effective date.
"""
from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from db.enums import AssessmentStatus, NeedStatus, PolicyStatus

S = TypeVar("S", bound=StrEnum)

NEED_MOVES: Mapping[NeedStatus, frozenset[NeedStatus]] = {
    NeedStatus.IDENTIFIED: frozenset({NeedStatus.VALIDATED, NeedStatus.CLOSED}),
    NeedStatus.VALIDATED: frozenset({NeedStatus.PRIORITIZED, NeedStatus.CLOSED}),
    NeedStatus.PRIORITIZED: frozenset({NeedStatus.ADDRESSED, NeedStatus.CLOSED}),
    NeedStatus.ADDRESSED: frozenset({NeedStatus.CLOSED}),
    NeedStatus.CLOSED: frozenset(),
}
ASSESSMENT_MOVES: Mapping[AssessmentStatus, frozenset[AssessmentStatus]] = {
    AssessmentStatus.PLANNED: frozenset({AssessmentStatus.DATA_COLLECTION}),
    AssessmentStatus.DATA_COLLECTION: frozenset({AssessmentStatus.ANALYSIS}),
    AssessmentStatus.ANALYSIS: frozenset({AssessmentStatus.REPORTING, AssessmentStatus.COMPLETED}),
    AssessmentStatus.REPORTING: frozenset({AssessmentStatus.COMPLETED}),
    AssessmentStatus.COMPLETED: frozenset(),
}
POLICY_MOVES: Mapping[PolicyStatus, frozenset[PolicyStatus]] = {
    PolicyStatus.DRAFT: frozenset({PolicyStatus.UNDER_REVIEW}),
    PolicyStatus.UNDER_REVIEW: frozenset({PolicyStatus.DRAFT, PolicyStatus.ADOPTED}),
    PolicyStatus.ADOPTED: frozenset({PolicyStatus.RETIRED}),
    PolicyStatus.RETIRED: frozenset(),
}


class InvalidMove(ValueError):
    """A status change the lifecycle does not allow; the message says which ones it does."""


def check_move(moves: Mapping[S, frozenset[S]], current: S, target: S) -> None:
    """Staying put is always allowed; otherwise ``target`` must be a next status of ``current``."""
    if target == current:
        return
    allowed = moves[current]
    if target not in allowed:
        options = ", ".join(sorted(s.value for s in allowed)) or "none (it is final)"
        raise InvalidMove(f"Cannot go from {current.value} to {target.value}; next: {options}.")


def check_need(current: NeedStatus, target: NeedStatus, priority_score: object) -> None:
    check_move(NEED_MOVES, current, target)
    if target == NeedStatus.PRIORITIZED and priority_score is None:
        raise InvalidMove("A need is prioritized with a priority score (0-100).")


def check_policy(current: PolicyStatus, target: PolicyStatus, effective_on: object) -> None:
    check_move(POLICY_MOVES, current, target)
    if target == PolicyStatus.ADOPTED and effective_on is None:
        raise InvalidMove("A policy is adopted with an effective date.")
