"""What an iCalendar import yields: series ready to store and problems with reasons."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from db.rules.recurrence import OverrideSpec, SeriesSpec


@dataclass(frozen=True, slots=True)
class ImportProblem:
    ref: str  # the UID, or "component #N" when there is none
    reason: str


@dataclass(frozen=True, slots=True)
class ImportedSeries:
    uid: str
    title: str
    description: str
    location: str
    start: datetime
    end: datetime
    all_day: bool
    timezone: str
    rrule: str | None = None
    rdates: tuple[datetime, ...] = ()
    exdates: tuple[datetime, ...] = ()
    overrides: dict[datetime, OverrideSpec] = field(default_factory=dict)
    sequence: int = 0
    nominal: timedelta | None = None
    visibility: str = "INTERNAL"

    def spec(self) -> SeriesSpec:
        return SeriesSpec(
            start=self.start,
            end=self.end,
            all_day=self.all_day,
            timezone=self.timezone,
            rrule=self.rrule,
            rdates=self.rdates,
            exdates=self.exdates,
            overrides=self.overrides,
            nominal=self.nominal,
        )


@dataclass(slots=True)
class ImportResult:
    series: list[ImportedSeries] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
