"""PPA progress derived from its tasks (pure statement of the rule).

progress = floor(100 * DONE / (all tasks - CANCELLED)); 0 when nothing counts.

Cancelled tasks leave the denominator: dropping work should not hold a PPA
below 100, nor count as done. Flooring means 100 only once every counted task is
DONE (2 of 3 is 66). ``db.queries.task.recompute_ppa_progress`` runs the same
arithmetic in SQL (integer division floors for non-negative numbers); a test
checks the two agree.
"""
from __future__ import annotations


def progress_percent(done: int, counted: int) -> int:
    """``done`` DONE tasks out of ``counted`` non-cancelled tasks, as 0..100."""
    if counted <= 0:
        return 0
    return (100 * min(done, counted)) // counted
