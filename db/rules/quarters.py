"""Quarterly coordination meetings: which quarter is next and when it meets (no I/O).

The fiscal year is the calendar year (Q1 = January-March). Each quarter's
meeting is on the second Monday of the quarter's first month, 09:00-11:00 in the
organisation's zone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MEETING_START = time(9, 0)
MEETING_LENGTH = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class Quarter:
    fiscal_year: int
    quarter: int

    @property
    def first_day(self) -> date:
        return date(self.fiscal_year, 3 * (self.quarter - 1) + 1, 1)

    def next(self) -> Quarter:
        return Quarter(self.fiscal_year + 1, 1) if self.quarter == 4 else Quarter(self.fiscal_year, self.quarter + 1)


def quarter_of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def next_quarter(now: datetime, timezone_name: str) -> Quarter:
    return quarter_of(now.astimezone(ZoneInfo(timezone_name)).date()).next()


def meeting_slot(quarter: Quarter, timezone_name: str) -> tuple[datetime, datetime]:
    """Start and end (UTC) of the quarter's coordination meeting."""
    first = quarter.first_day
    first_monday = first + timedelta(days=(7 - first.weekday()) % 7)
    start = datetime.combine(first_monday + timedelta(days=7), MEETING_START, tzinfo=ZoneInfo(timezone_name))
    return start.astimezone(UTC), (start + MEETING_LENGTH).astimezone(UTC)
