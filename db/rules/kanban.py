"""Gap-based kanban positions (pure; the SQL that applies them is in db/queries/board.py).

A column is ordered by ``(position, id)``. New cards go ``GAP`` after the last
one; a card dropped between two neighbours takes the midpoint. When the gap
between neighbours falls below ``MIN_GAP`` the column is rebalanced to
``GAP, 2*GAP, ...`` in its current order, and the midpoint is taken again.
Ties (two cards appended at once without a lock) are legal: ``id`` breaks them.
"""
from __future__ import annotations

GAP = 1024.0
MIN_GAP = 1e-3


def position_after_last(last: float | None) -> float:
    return GAP if last is None else last + GAP


def position_between(previous: float | None, following: float | None) -> float | None:
    """The position for a card between two neighbours, or None when the column needs rebalancing.

    ``previous``/``following`` are None at the top/bottom of the column.
    """
    if previous is None and following is None:
        return GAP
    if following is None:
        assert previous is not None
        return previous + GAP
    low = following - GAP if previous is None else previous
    if following - low < MIN_GAP * 2:
        return None
    return (low + following) / 2


def rebalanced(count: int) -> list[float]:
    """Evenly spaced positions for ``count`` cards, in order."""
    return [GAP * (index + 1) for index in range(count)]
