"""Where the shared iCalendar corpus lives: ``shared/`` beside the repository (as in CI),
or ``$ALMANAC_ICS_CORPUS``. A missing corpus fails loudly rather than skipping tests."""
from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from db.rules.icalendar_import import SYNTHETIC_UID_PREFIX

_REPO = Path(__file__).resolve().parents[2]


def corpus_dir() -> Path:
    candidates = [os.environ.get("ALMANAC_ICS_CORPUS"), _REPO.parent / "shared" / "corpus" / "ics",
                  "/work/shared/corpus/ics"]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    raise RuntimeError(f"iCalendar corpus not found; looked in {candidates}: set ALMANAC_ICS_CORPUS")


CORPUS = corpus_dir()


def as_utc(value: date) -> datetime:
    """A DTSTART/RECURRENCE-ID value as an aware UTC datetime (DATEs at midnight, floating as UTC)."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(), UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def localized(value: Any, tz: Any) -> datetime:
    """An oracle's DATE or floating time read in ``tz``, as UTC."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(), tz).astimezone(UTC)
    return (value.replace(tzinfo=tz) if value.tzinfo is None else value).astimezone(UTC)


def public_uid(uid: str) -> str:
    """The oracle names a UID-less event by its Python id; both sides then compare it as "".
    A RANGE=THISANDFUTURE segment (``<UID>/<RECURRENCE-ID>``, db/rules/ics_ranges.py) is its UID."""
    if uid.startswith(SYNTHETIC_UID_PREFIX):
        return ""
    return _SEGMENT.sub("", uid)


_SEGMENT = re.compile(r"/\d{8}T\d{6}Z$")


# file -> (instant, reason): occurrences from ``instant`` on are left out of both sides.
KNOWN_DIFFERENCES: dict[str, tuple[datetime, str]] = {
    # RANGE=THISANDFUTURE is split and matches the oracle up to the series' end. The rule's
    # UNTIL=20250920 is a DATE on a DATE-TIME series, which RFC 5545 3.3.10 forbids; Almanac
    # reads it as that whole day (the original 2025-09-20 12:00, moved to 09-21 14:22, is
    # kept), the oracle as its midnight.
    "issue_75_range_parameter.ics": (
        datetime(2025, 9, 20, tzinfo=UTC), "UNTIL as a DATE on a timed series: the whole day, not its midnight",
    ),
}


def before_difference(name: str, keys: set[Any]) -> set[Any]:
    """``keys`` (uid, start, end) without the occurrences a listed difference concerns."""
    if name not in KNOWN_DIFFERENCES:
        return keys
    cutoff = KNOWN_DIFFERENCES[name][0]
    return {key for key in keys if key[1] < cutoff}
