"""Free/busy arithmetic (pure): merging, clipping, buffers, minimum lengths."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from db.rules.availability import (
    BusyBlock,
    BusySpan,
    Interval,
    blocked_range,
    clip,
    first_overlap,
    free_intervals,
    merge_busy,
)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2031, 3, 3, hour, minute, tzinfo=UTC)


WINDOW = Interval(at(8), at(18))


def test_overlapping_and_touching_spans_merge_and_keep_their_bookings() -> None:
    spans = [BusySpan(at(13), at(14), 3), BusySpan(at(9), at(10), 1), BusySpan(at(10), at(11), 2),
             BusySpan(at(13, 30), at(13, 45), 4)]

    blocks = merge_busy(spans)

    assert blocks == [BusyBlock(at(9), at(11), [1, 2]), BusyBlock(at(13), at(14), [3, 4])]


def test_free_intervals_are_the_gaps_inside_the_window() -> None:
    blocks = merge_busy([BusySpan(at(7), at(9), 1), BusySpan(at(12), at(13), 2), BusySpan(at(17), at(19), 3)])

    assert free_intervals(blocks, WINDOW) == [Interval(at(9), at(12)), Interval(at(13), at(17))]
    assert clip(blocks, WINDOW) == [
        BusyBlock(at(8), at(9), [1]), BusyBlock(at(12), at(13), [2]), BusyBlock(at(17), at(18), [3])
    ]


def test_buffers_shrink_gaps_next_to_bookings_but_not_at_window_edges() -> None:
    blocks = merge_busy([BusySpan(at(12), at(13), 1), BusySpan(at(7), at(7, 50), 2)])

    free = free_intervals(blocks, WINDOW, buffer_before=timedelta(minutes=15), buffer_after=timedelta(minutes=30))

    # before 12:00 a new slot must end by 11:30 (its after-buffer); after 13:00 it may start at 13:15;
    # the block ending 07:50 (outside the window) pushes the first start to 08:05.
    assert free == [Interval(at(8, 5), at(11, 30)), Interval(at(13, 15), at(18))]


def test_min_length_drops_short_gaps_and_an_empty_calendar_is_all_free() -> None:
    blocks = merge_busy([BusySpan(at(9), at(10), 1), BusySpan(at(10, 20), at(12), 2)])

    assert free_intervals(blocks, WINDOW, min_length=timedelta(minutes=30)) == [
        Interval(at(8), at(9)), Interval(at(12), at(18))
    ]
    assert free_intervals([], WINDOW) == [WINDOW]


def test_fully_booked_window_has_no_free_time() -> None:
    assert free_intervals(merge_busy([BusySpan(at(6), at(20), 1)]), WINDOW) == []


def test_blocked_range_and_self_overlap() -> None:
    blocked = blocked_range(at(10), at(11), before=timedelta(minutes=10), after=timedelta(minutes=20))
    assert blocked == Interval(at(9, 50), at(11, 20))
    assert first_overlap([Interval(at(9), at(10)), Interval(at(10), at(11))]) is None
    assert first_overlap([Interval(at(12), at(13)), Interval(at(9), at(11)), Interval(at(10), at(10, 30))]) == (1, 2)
