"""Pure task rules: kanban positions, progress, template rendering and schedule, recurrence."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from db.enums import TemplateKind
from db.rules import kanban
from db.rules.progress import progress_percent
from db.rules.task_recurrence import InvalidRule, next_due, normalized_rule
from db.rules.task_templates import render, schedule, unknown_placeholders


def test_positions_go_between_neighbours_and_after_the_last() -> None:
    assert kanban.position_between(None, None) == kanban.GAP
    assert kanban.position_between(1024.0, 2048.0) == 1536.0
    assert kanban.position_between(1024.0, None) == 2048.0
    assert kanban.position_between(None, 1024.0) == 512.0
    assert kanban.position_after_last(None) == kanban.GAP


def test_a_crowded_gap_asks_for_a_rebalance() -> None:
    assert kanban.position_between(1.0, 1.0 + kanban.MIN_GAP) is None
    assert kanban.position_between(5.0, 5.0) is None
    assert kanban.rebalanced(3) == [1024.0, 2048.0, 3072.0]


def test_repeated_inserts_into_one_gap_eventually_need_rebalancing() -> None:
    low, high, steps = 1024.0, 2048.0, 0
    while (middle := kanban.position_between(low, high)) is not None:
        high, steps = middle, steps + 1
    assert 15 < steps < 25


@pytest.mark.parametrize(("done", "counted", "expected"), [(3, 5, 60), (0, 0, 0), (2, 3, 66), (5, 5, 100), (0, 4, 0)])
def test_progress_is_floored_share_of_done(done: int, counted: int, expected: int) -> None:
    assert progress_percent(done, counted) == expected


def test_render_replaces_known_placeholders_only() -> None:
    text = "Plan {ppa_title} from {start_date} ({unknown}) {{x}}"
    assert render(text, {"ppa_title": "Bridge", "start_date": "2031-01-01"}) == \
        "Plan Bridge from 2031-01-01 ({unknown}) {{x}}"


def test_unknown_placeholders_per_kind() -> None:
    assert unknown_placeholders(TemplateKind.PPA, ["{ppa_title} {event_title}", "{nope}"]) == ["event_title", "nope"]
    assert unknown_placeholders(TemplateKind.GENERIC, ["{event_title} {ppa_title}"]) == []


def test_schedule_offsets_from_the_start_date() -> None:
    assert schedule(date(2031, 3, 1), 10) == (date(2031, 3, 1), datetime(2031, 3, 11, 17, tzinfo=UTC))
    assert schedule(date(2031, 3, 10), -7) == (date(2031, 3, 3), datetime(2031, 3, 3, 17, tzinfo=UTC))


def test_next_due_follows_the_series_and_respects_count() -> None:
    start = datetime(2031, 1, 6, 17, tzinfo=UTC)  # a Monday
    assert next_due("FREQ=WEEKLY;COUNT=3", start, start) == datetime(2031, 1, 13, 17, tzinfo=UTC)
    assert next_due("FREQ=WEEKLY;COUNT=3", start, datetime(2031, 1, 13, 17, tzinfo=UTC)) == \
        datetime(2031, 1, 20, 17, tzinfo=UTC)
    assert next_due("FREQ=WEEKLY;COUNT=3", start, datetime(2031, 1, 20, 17, tzinfo=UTC)) is None
    # completed late: the next one is the first occurrence after the completed one's due time
    assert next_due("FREQ=DAILY", start, datetime(2031, 1, 9, 17, tzinfo=UTC)) == datetime(2031, 1, 10, 17, tzinfo=UTC)


def test_rule_text_is_checked() -> None:
    assert normalized_rule("RRULE:FREQ=MONTHLY;BYMONTHDAY=1") == "FREQ=MONTHLY;BYMONTHDAY=1"
    for bad in ["", "FREQ=SOMETIMES", "DTSTART:20310101T000000Z\nRRULE:FREQ=DAILY", "FREQ=DAILY;UNTIL=garbage"]:
        with pytest.raises(InvalidRule):
            normalized_rule(bad)
