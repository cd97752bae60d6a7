"""Which reminders an event occurrence gets, and when an email may go out (no I/O).

Rules:
- A user's offsets for an event are the event's own ``reminders`` when it has
  any, otherwise the user's default offsets (calendar apps work the same way:
  an event's explicit alarms replace the defaults).
- A quarterly coordination meeting always adds 7 days and 1 day before.
- A reminder whose moment has already passed is not replayed one by one: of the
  passed ones only the closest to the occurrence is kept, delivered now, and
  only while the occurrence has not started.
- Quiet hours ``[start, end)`` are wall times in the user's zone and may wrap
  midnight (22:00-07:00); an email due inside them waits until their end.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
MAX_OFFSET_MINUTES = 60 * MINUTES_PER_DAY
QUARTERLY_OFFSETS = (7 * MINUTES_PER_DAY, MINUTES_PER_DAY)


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    offset_minutes: int
    occurrence_start: datetime
    deliver_at: datetime


def reminder_offsets(
    event_offsets: Iterable[int], user_offsets: Iterable[int], *, is_quarterly: bool
) -> list[int]:
    """Distinct offsets in minutes before the start, largest first."""
    chosen = {o for o in event_offsets if 0 <= o <= MAX_OFFSET_MINUTES}
    if not chosen:
        chosen = {o for o in user_offsets if 0 <= o <= MAX_OFFSET_MINUTES}
    if is_quarterly:
        chosen.update(QUARTERLY_OFFSETS)
    return sorted(chosen, reverse=True)


def plan_reminders(occurrence_start: datetime, offsets: Iterable[int], now: datetime) -> list[PlannedReminder]:
    """The reminders to keep for one occurrence, each with when to deliver it."""
    if occurrence_start <= now:
        return []
    upcoming: list[PlannedReminder] = []
    latest_passed: int | None = None
    for offset in offsets:
        moment = occurrence_start - timedelta(minutes=offset)
        if moment > now:
            upcoming.append(PlannedReminder(offset, occurrence_start, moment))
        elif latest_passed is None or offset < latest_passed:
            latest_passed = offset
    if latest_passed is not None:
        upcoming.append(PlannedReminder(latest_passed, occurrence_start, now))
    return sorted(upcoming, key=lambda r: r.deliver_at)


def describe_lead_time(lead: timedelta) -> str:
    """"in 1 day", "in 2 hours and 5 minutes", "now": whole minutes, rounded down."""
    minutes = max(int(lead.total_seconds() // 60), 0)
    if minutes == 0:
        return "now"
    days, rest = divmod(minutes, MINUTES_PER_DAY)
    hours, mins = divmod(rest, 60)
    parts = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in ((days, "day"), (hours, "hour"), (mins, "minute")) if n]
    spoken = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"in {spoken}"


def in_quiet_hours(local: time, start: time, end: time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def quiet_hours_end(moment: datetime, timezone_name: str, start: time | None, end: time | None) -> datetime | None:
    """When quiet hours holding ``moment`` end (UTC), or None if ``moment`` is not in them."""
    if start is None or end is None:
        return None
    tz = ZoneInfo(timezone_name)
    local = moment.astimezone(tz)
    wall = local.time().replace(tzinfo=None)
    if not in_quiet_hours(wall, start, end):
        return None
    day = local.date() if wall < end else local.date() + timedelta(days=1)
    # fold=0: an end time inside a fall-back repeat resolves to its first instant;
    # one inside a spring-forward gap shifts forward with the gap.
    resolved = datetime.combine(day, end, tzinfo=tz).astimezone(UTC)
    return max(resolved, moment.astimezone(UTC))


def email_send_time(
    due: datetime, timezone_name: str, quiet_start: time | None, quiet_end: time | None
) -> datetime:
    """``due`` itself, or the end of the quiet hours it falls in."""
    return quiet_hours_end(due, timezone_name, quiet_start, quiet_end) or due
