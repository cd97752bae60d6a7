"""Input checks shared by every mutation; each raises a VALIDATION DomainError."""
from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from resolvers.mutation import validation

T = TypeVar("T")

_ZONES: frozenset[str] | None = None


def required(value: T | None, field: str) -> T:
    """A field an update may omit but not set to null."""
    if value is None:
        raise validation("Must not be null.", field)
    return value


def text(value: str, field: str, *, max_length: int, required: bool = True) -> str:
    cleaned = value.strip()
    if required and not cleaned:
        raise validation("Must not be blank.", field)
    if len(cleaned) > max_length:
        raise validation(f"At most {max_length} characters.", field)
    if "\x00" in cleaned:
        raise validation("Must not contain NUL characters.", field)
    return cleaned


def optional_text(value: str | None, field: str, *, max_length: int) -> str | None:
    return None if value is None else text(value, field, max_length=max_length, required=False)


def aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise validation("Must carry a UTC offset.", field)
    if not (1900 <= value.year <= 2200):
        raise validation("Year must be between 1900 and 2200.", field)
    return value


def ordered(start: datetime | date | None, end: datetime | date | None, field: str, *, strict: bool = True) -> None:
    if start is None or end is None:
        return
    if (end <= start) if strict else (end < start):
        raise validation("Must be after the start.", field)


def number_range(value: float | int | None, field: str, *, low: float, high: float) -> None:
    if value is not None and not (low <= value <= high):
        raise validation(f"Must be between {low:g} and {high:g}.", field)


def timezone_name(value: str, field: str = "timezone") -> str:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones()) | {"UTC"}
    if value not in _ZONES:
        raise validation("Unknown IANA time zone.", field)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise validation("Unknown IANA time zone.", field) from None
    return value
