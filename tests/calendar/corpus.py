"""Where the shared iCalendar corpus lives: ``shared/`` beside the repository (as in CI),
or ``$ALMANAC_ICS_CORPUS``. A missing corpus fails loudly rather than skipping tests."""
from __future__ import annotations

import os
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
    """The oracle names a UID-less event by its Python id; both sides then compare it as ""."""
    return "" if uid.startswith(SYNTHETIC_UID_PREFIX) else uid
