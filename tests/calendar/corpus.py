"""Where the shared iCalendar corpus lives: ``shared/`` beside the repository (as in CI),
or ``$ALMANAC_ICS_CORPUS``. A missing corpus fails loudly rather than skipping tests."""
from __future__ import annotations

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parents[2]


def corpus_dir() -> Path:
    candidates = [os.environ.get("ALMANAC_ICS_CORPUS"), _REPO.parent / "shared" / "corpus" / "ics",
                  "/work/shared/corpus/ics"]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    raise RuntimeError(f"iCalendar corpus not found; looked in {candidates}: set ALMANAC_ICS_CORPUS")


CORPUS = corpus_dir()
