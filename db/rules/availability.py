"""Free/busy arithmetic over half-open intervals ``[start, end)``, on plain data (no I/O).

A resource is *busy* over the blocked range of each pending or approved booking
(its slot widened by the resource's buffers). Touching or overlapping blocked
ranges merge into one busy block that remembers the bookings it came from.

*Free* intervals are the times a new booking's slot may occupy: a new slot blocks
its own buffers too, so each gap between busy blocks shrinks by the buffer before
(after the previous block) and the buffer after (before the next block). The
window's edges are not bookings and shrink nothing.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise


@dataclass(frozen=True, slots=True)
class Interval:
    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class BusySpan:
    """One booking's blocked range."""

    start: datetime
    end: datetime
    booking_id: int


@dataclass(slots=True)
class BusyBlock:
    start: datetime
    end: datetime
    booking_ids: list[int] = field(default_factory=list)


def blocked_range(start: datetime, end: datetime, *, before: timedelta, after: timedelta) -> Interval:
    """The range a slot keeps the resource busy: the slot widened by its buffers."""
    return Interval(start - before, end + after)


def merge_busy(spans: Iterable[BusySpan]) -> list[BusyBlock]:
    """Merge overlapping or touching spans into blocks, in time order."""
    blocks: list[BusyBlock] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end, s.booking_id)):
        if blocks and span.start <= blocks[-1].end:
            last = blocks[-1]
            last.end = max(last.end, span.end)
            last.booking_ids.append(span.booking_id)
        else:
            blocks.append(BusyBlock(span.start, span.end, [span.booking_id]))
    return blocks


def clip(blocks: Sequence[BusyBlock], window: Interval) -> list[BusyBlock]:
    """The part of each block inside the window (blocks outside it dropped)."""
    return [
        BusyBlock(max(b.start, window.start), min(b.end, window.end), list(b.booking_ids))
        for b in blocks
        if b.start < window.end and window.start < b.end
    ]


def free_intervals(
    blocks: Sequence[BusyBlock],
    window: Interval,
    *,
    buffer_before: timedelta = timedelta(0),
    buffer_after: timedelta = timedelta(0),
    min_length: timedelta = timedelta(0),
) -> list[Interval]:
    """Bookable slot ranges inside ``window`` between merged, time-ordered busy ``blocks``.

    Only intervals at least ``min_length`` long (and never empty ones) are kept.
    """
    free: list[Interval] = []
    cursor = window.start
    for block in blocks:
        _append_gap(free, cursor, block.start - buffer_after, window, min_length)
        cursor = max(cursor, block.end + buffer_before)
    _append_gap(free, cursor, window.end, window, min_length)
    return free


def _append_gap(
    free: list[Interval], start: datetime, end: datetime, window: Interval, min_length: timedelta
) -> None:
    start, end = max(start, window.start), min(end, window.end)
    if end > start and end - start >= min_length:
        free.append(Interval(start, end))


def first_overlap(slots: Sequence[Interval]) -> tuple[int, int] | None:
    """Indices of two slots that overlap each other (e.g. a series with long buffers), or None."""
    order = sorted(range(len(slots)), key=lambda i: (slots[i].start, slots[i].end))
    for previous, current in pairwise(order):
        if slots[current].start < slots[previous].end:
            return previous, current
    return None
