"""What an RRULE may ask for: RFC 5545 grammar plus the bounds that keep expansion cheap.

dateutil expands a rule by walking its periods (days for DAILY, hours for HOURLY...)
and only stops at UNTIL or COUNT when a period *yields* an occurrence; a rule whose
filters never match walks to the year 9999 (3 s for a DAILY rule, 5 s for an HOURLY
one on this machine), and FREQ=SECONDLY or INTERVAL=0 never stops at all. So a rule
is accepted only when its cost is bounded by construction:

- FREQ=SECONDLY is refused; MINUTELY needs INTERVAL >= ``MIN_MINUTELY_INTERVAL``.
- 1 <= INTERVAL <= ``MAX_INTERVAL``; 1 <= COUNT <= ``MAX_COUNT``.
- Every BYxxx value lies in its RFC 5545 range, each list has at most
  ``MAX_BY_VALUES`` values, and the parts RFC 5545 forbids for a frequency are
  refused (BYWEEKNO outside YEARLY, BYYEARDAY with DAILY/WEEKLY/MONTHLY, BYMONTHDAY
  with WEEKLY, ordinal BYDAY outside MONTHLY/YEARLY).
- Day filters (BYDAY, BYMONTHDAY, BYYEARDAY, BYWEEKNO, BYMONTH) on a rule that steps
  by days or less must not be able to miss every matching day through the step:
  sub-daily rules may only use BYDAY and BYMONTH and step at most one day, DAILY
  rules step by one day when they filter days (BYMONTH alone: at most 28 days).
- ``probe_occurs`` then checks, per DTSTART, that the rule has an occurrence after
  DTSTART at all; it runs in the last 400-year cycle before 9999 so that even a
  never-matching rule costs at most a few thousand periods.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from math import gcd

from dateutil.rrule import rrule, rrulestr

MAX_COUNT = 5000  # daily for 13 years; Outlook stops at 999, Google at 730
MAX_INTERVAL = 1000
MIN_MINUTELY_INTERVAL = 15  # a quarter-hour slot is the finest a meeting calendar needs
MAX_BY_VALUES = 366  # BYYEARDAY may list every day of a year

RULE_KEYS = frozenset(
    {
        "FREQ", "UNTIL", "COUNT", "INTERVAL", "BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY",
        "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST",
    }
)
FREQUENCIES = ("SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_WEEKDAYS = frozenset({"MO", "TU", "WE", "TH", "FR", "SA", "SU"})
# part -> (lowest absolute value, highest absolute value, negative values allowed)
_RANGES = {
    "BYSECOND": (0, 60, False), "BYMINUTE": (0, 59, False), "BYHOUR": (0, 23, False),
    "BYMONTHDAY": (1, 31, True), "BYYEARDAY": (1, 366, True), "BYWEEKNO": (1, 53, True),
    "BYMONTH": (1, 12, False), "BYSETPOS": (1, 366, True),
}
_DAY_FILTERS = ("BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH")
_SUB_DAILY_MINUTES = {"HOURLY": 60, "MINUTELY": 1}
_PROBE_CYCLE_YEARS = 400  # the Gregorian calendar repeats (weekdays and leap years) every 400 years
_PROBE_LAST_START = 9999 - 400  # a probe starts no later than this: one whole cycle fits before 9999


class InvalidRecurrence(ValueError):
    """A recurrence rule or time zone that cannot be expanded; the message says why."""


def check_parts(parts: dict[str, str], line: str) -> None:
    """Raise InvalidRecurrence unless the parsed rule is within the bounds above."""
    freq = parts.get("FREQ")
    if freq not in FREQUENCIES:
        raise InvalidRecurrence(f"RRULE needs FREQ=one of {', '.join(sorted(FREQUENCIES))}")
    if freq == "SECONDLY":
        raise InvalidRecurrence("FREQ=SECONDLY is not supported: the finest recurrence is every "
                           f"{MIN_MINUTELY_INTERVAL} minutes")
    if "COUNT" in parts and "UNTIL" in parts:
        raise InvalidRecurrence(f"RRULE {line!r} has both COUNT and UNTIL")
    count = _positive(parts, "COUNT")
    if count is not None and count > MAX_COUNT:
        raise InvalidRecurrence(f"RRULE COUNT may be at most {MAX_COUNT}, got {count}")
    interval = _positive(parts, "INTERVAL") or 1
    if interval > MAX_INTERVAL:
        raise InvalidRecurrence(f"RRULE INTERVAL may be at most {MAX_INTERVAL}, got {interval}")
    if freq == "MINUTELY" and interval < MIN_MINUTELY_INTERVAL:
        raise InvalidRecurrence(f"FREQ=MINUTELY needs INTERVAL of at least {MIN_MINUTELY_INTERVAL}")
    for key, (low, high, negative) in _RANGES.items():
        if key in parts:
            _check_numbers(key, parts[key], low, high, negative)
    if "BYDAY" in parts:
        _check_weekdays(parts["BYDAY"], ordinals=freq in ("MONTHLY", "YEARLY"))
    if "WKST" in parts and parts["WKST"] not in _WEEKDAYS:
        raise InvalidRecurrence(f"RRULE WKST must be a weekday, got {parts['WKST']!r}")
    _check_frequency_parts(freq, parts, interval)


def _check_frequency_parts(freq: str, parts: dict[str, str], interval: int) -> None:
    if "BYWEEKNO" in parts and freq != "YEARLY":
        raise InvalidRecurrence("BYWEEKNO is only allowed with FREQ=YEARLY (RFC 5545)")
    if "BYYEARDAY" in parts and freq in ("DAILY", "WEEKLY", "MONTHLY"):
        raise InvalidRecurrence(f"BYYEARDAY is not allowed with FREQ={freq} (RFC 5545)")
    if "BYMONTHDAY" in parts and freq == "WEEKLY":
        raise InvalidRecurrence("BYMONTHDAY is not allowed with FREQ=WEEKLY (RFC 5545)")
    filters = [key for key in _DAY_FILTERS if key in parts]
    if freq in _SUB_DAILY_MINUTES:
        if any(key not in ("BYDAY", "BYMONTH") for key in filters):
            raise InvalidRecurrence(f"FREQ={freq} may only filter days with BYDAY and BYMONTH")
        if filters and interval * _SUB_DAILY_MINUTES[freq] > 24 * 60:
            raise InvalidRecurrence(f"FREQ={freq} with BYDAY or BYMONTH must step at most one day")
    elif freq == "DAILY" and filters:
        if filters == ["BYMONTH"] and interval > 28:
            raise InvalidRecurrence("FREQ=DAILY with BYMONTH may step at most 28 days")
        if filters != ["BYMONTH"] and interval > 1:
            raise InvalidRecurrence("FREQ=DAILY with INTERVAL above 1 cannot also filter days")
    elif freq == "WEEKLY" and "BYMONTH" in parts and interval > 4:
        raise InvalidRecurrence("FREQ=WEEKLY with BYMONTH may step at most 4 weeks")


def _positive(parts: dict[str, str], key: str) -> int | None:
    if key not in parts:
        return None
    value = parts[key]
    if not (value.isdigit() and int(value) > 0):
        raise InvalidRecurrence(f"RRULE {key} must be a positive integer, got {value!r}")
    return int(value)


def _values(key: str, text: str) -> list[str]:
    values = text.split(",")
    if len(values) > MAX_BY_VALUES:
        raise InvalidRecurrence(f"RRULE {key} may list at most {MAX_BY_VALUES} values")
    return values


def _check_numbers(key: str, text: str, low: int, high: int, negative: bool) -> None:
    for value in _values(key, text):
        digits = value[1:] if value[:1] in "+-" else value
        if not digits.isdigit() or (value.startswith("-") and not negative) or not low <= int(digits) <= high:
            span = f"{low}..{high}" + (f" or -{high}..-{max(low, 1)}" if negative else "")
            raise InvalidRecurrence(f"RRULE {key} values must be in {span}, got {value!r}")


def _check_weekdays(text: str, *, ordinals: bool) -> None:
    for value in _values("BYDAY", text):
        day, number = value[-2:], value[:-2]
        if day not in _WEEKDAYS:
            raise InvalidRecurrence(f"RRULE BYDAY value {value!r} is not a weekday")
        if number:
            if not ordinals:
                raise InvalidRecurrence("BYDAY with a number (like 2MO) needs FREQ=MONTHLY or YEARLY")
            digits = number[1:] if number[0] in "+-" else number
            if not digits.isdigit() or not 1 <= int(digits) <= 53:
                raise InvalidRecurrence(f"RRULE BYDAY value {value!r} has an ordinal outside 1..53")


def probe_occurs(parts: dict[str, str], dtstart: datetime) -> None:
    """Raise InvalidRecurrence when the rule never yields an occurrence after ``dtstart``
    (UNTIL and COUNT do not matter: dateutil walks past them when nothing matches)."""
    freq = parts["FREQ"]
    if freq in ("MONTHLY", "YEARLY"):
        probe = {k: v for k, v in parts.items() if k not in ("UNTIL", "COUNT")}
    else:
        # check_parts lets these step onto every day, so their days are those of a YEARLY
        # rule with the same day filters (which walks one period per year, not per day).
        probe = {"FREQ": "YEARLY", **{k: parts[k] for k in _DAY_FILTERS if k in parts}}
        if len(probe) == 1:
            return  # no day filter: every step is an occurrence
    text = ";".join(f"{k}={v}" for k, v in probe.items())
    if not _probe(text, *_probe_start(dtstart, probe)):
        raise InvalidRecurrence("the recurrence rule never occurs (its filters match no date it can reach)")


def _probe_start(dtstart: datetime, parts: dict[str, str]) -> tuple[datetime, bool]:
    """DTSTART moved by whole 400-year cycles (the same weekdays and leap years and, for
    MONTHLY and YEARLY, the same phase of INTERVAL) to the latest year that still leaves a
    whole cycle before 9999; True when it moved. A never-matching rule then walks at most
    two cycles of periods instead of every period up to 9999."""
    interval = int(parts.get("INTERVAL", "1"))
    step = interval if parts["FREQ"] == "YEARLY" else interval // gcd(interval, 12)
    cycle = _PROBE_CYCLE_YEARS * step // gcd(_PROBE_CYCLE_YEARS, step)
    cycles = (_PROBE_LAST_START - dtstart.year) // cycle
    if cycles <= 0:
        return dtstart, False
    return dtstart.replace(year=dtstart.year + cycles * cycle), True


@lru_cache(maxsize=4096)
def _probe(rule_text: str, start: datetime, moved: bool) -> bool:
    try:
        compiled = rrulestr(rule_text, dtstart=start, cache=False)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
        raise InvalidRecurrence(f"malformed RRULE: {error}") from error
    assert isinstance(compiled, rrule)
    try:
        return compiled.after(start, inc=False) is not None
    except OverflowError:
        return moved
