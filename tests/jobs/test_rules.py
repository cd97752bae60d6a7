"""Pure reminder and quarter rules."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from db.rules.quarters import Quarter, meeting_slot, next_quarter
from db.rules.reminders import (
    PlannedReminder,
    describe_lead_time,
    email_send_time,
    in_quiet_hours,
    plan_reminders,
    quiet_hours_end,
    reminder_offsets,
)

START = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


def test_event_reminders_replace_user_defaults_and_quarterly_adds_7_days_and_1_day() -> None:
    assert reminder_offsets([15], [30], is_quarterly=False) == [15]
    assert reminder_offsets([], [30, 120], is_quarterly=False) == [120, 30]
    assert reminder_offsets([], [30], is_quarterly=True) == [10080, 1440, 30]
    assert reminder_offsets([-5, 10**9], [30], is_quarterly=False) == [30]  # invalid event offsets ignored


def test_plan_keeps_future_reminders_and_only_the_latest_passed_one_delivered_now() -> None:
    now = START - timedelta(hours=2)
    plans = plan_reminders(START, [10080, 1440, 30], now)
    assert plans == [PlannedReminder(1440, START, now), PlannedReminder(30, START, START - timedelta(minutes=30))]
    assert plan_reminders(START, [30], START) == []  # the occurrence has started


def test_lead_time_is_spoken_in_whole_minutes() -> None:
    assert describe_lead_time(timedelta(days=1)) == "in 1 day"
    assert describe_lead_time(timedelta(hours=2)) == "in 2 hours"
    assert describe_lead_time(timedelta(minutes=30)) == "in 30 minutes"
    assert describe_lead_time(timedelta(hours=3, minutes=1, seconds=59)) == "in 3 hours and 1 minute"
    assert describe_lead_time(timedelta(days=2, hours=1, minutes=5)) == "in 2 days, 1 hour and 5 minutes"
    assert describe_lead_time(timedelta(seconds=59)) == "now"
    assert describe_lead_time(timedelta(minutes=-5)) == "now"


def test_quiet_hours_wrap_midnight() -> None:
    assert in_quiet_hours(time(23, 0), time(22, 0), time(7, 0))
    assert in_quiet_hours(time(6, 59), time(22, 0), time(7, 0))
    assert not in_quiet_hours(time(7, 0), time(22, 0), time(7, 0))
    assert in_quiet_hours(time(13, 0), time(12, 0), time(14, 0))
    assert not in_quiet_hours(time(13, 0), time(12, 0), time(12, 0))


def test_quiet_hours_end_in_the_users_zone_across_dst() -> None:
    # 01:30 in Berlin on the night clocks go forward (2026-03-29): quiet until 07:00 CEST = 05:00 UTC
    moment = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert quiet_hours_end(moment, "Europe/Berlin", time(22, 0), time(7, 0)) == datetime(2026, 3, 29, 5, 0, tzinfo=UTC)
    # 22:30 Berlin winter time: quiet until 07:00 CET next day = 06:00 UTC
    evening = datetime(2026, 1, 10, 21, 30, tzinfo=UTC)
    assert email_send_time(evening, "Europe/Berlin", time(22, 0), time(7, 0)) == datetime(2026, 1, 11, 6, 0, tzinfo=UTC)
    noon = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    assert email_send_time(noon, "Europe/Berlin", time(22, 0), time(7, 0)) == noon
    assert email_send_time(noon, "Europe/Berlin", None, None) == noon


def test_next_quarter_and_its_meeting_slot() -> None:
    assert next_quarter(datetime(2026, 11, 20, tzinfo=UTC), "UTC") == Quarter(2027, 1)
    assert next_quarter(datetime(2026, 5, 1, tzinfo=UTC), "UTC") == Quarter(2026, 3)
    # second Monday of January 2027 is the 11th; 09:00 Manila = 01:00 UTC
    assert meeting_slot(Quarter(2027, 1), "Asia/Manila") == (
        datetime(2027, 1, 11, 1, 0, tzinfo=UTC), datetime(2027, 1, 11, 3, 0, tzinfo=UTC)
    )
