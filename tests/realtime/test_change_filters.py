"""Pure rules: who may read a change and whether it touches a calendar window."""
from __future__ import annotations

from datetime import UTC, datetime

from db.enums import CalendarModule, TaskStatus
from db.queries.task import TaskCriteria
from db.rules.change_filters import (
    calendar_change_matches,
    task_payload_matches,
    touches_window,
)

START = datetime(2031, 1, 1, tzinfo=UTC)
END = datetime(2031, 2, 1, tzinfo=UTC)


def test_window_uses_new_and_old_spans_and_endless_series() -> None:
    inside = {"start": "2031-01-10T09:00:00+00:00", "end": "2031-01-10T10:00:00+00:00"}
    moved_out = {"start": "2031-05-01T09:00:00+00:00", "end": "2031-05-01T10:00:00+00:00",
                 "old_start": "2031-01-10T09:00:00+00:00", "old_end": "2031-01-10T10:00:00+00:00"}
    elsewhere = {"start": "2031-05-01T09:00:00+00:00", "end": "2031-05-01T10:00:00+00:00"}
    endless = {"start": "2030-01-01T09:00:00+00:00", "end": "2030-01-01T10:00:00+00:00", "series_ends_at": None}
    over = {"start": "2030-01-01T09:00:00+00:00", "end": "2030-01-01T10:00:00+00:00",
            "series_ends_at": "2030-06-01T10:00:00+00:00"}
    assert [touches_window(p, START, END) for p in (inside, moved_out, elsewhere, endless, over)] == [
        True, True, False, True, False]


def test_modules_and_sources() -> None:
    payload = {"module": "TASKS", "start": "2031-01-10T09:00:00+00:00", "end": "2031-01-10T09:00:00+00:00"}
    assert calendar_change_matches("Task", payload, window_start=START, window_end=END,
                                   modules=[CalendarModule.TASKS]) is True
    assert calendar_change_matches("Task", payload, window_start=START, window_end=END,
                                   modules=[CalendarModule.PROJECTS]) is False
    assert calendar_change_matches("Community", {}, window_start=START, window_end=END, modules=None) is False


def test_task_payload_filter() -> None:
    criteria = TaskCriteria(statuses=[TaskStatus.DONE], assignee_ids=[5])
    assert task_payload_matches({"status": "DONE", "assignee_ids": [5, 6]}, criteria) is True
    assert task_payload_matches({"status": "TODO", "assignee_ids": [5]}, criteria) is False
    assert task_payload_matches({"status": "DONE", "assignee_ids": [6]}, criteria) is False
