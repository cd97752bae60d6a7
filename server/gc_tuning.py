"""Garbage-collector settings for a server process, applied once start-up is done.

Measured on the nested task query (issue 12): with Python's defaults the collector took
44-52 % of the CPU, mostly full collections walking the start-up heap (schema, ORM
mappers, modules) that never becomes garbage. ``gc.freeze()`` moves that heap out of
the collector's sight, and a higher first threshold lets a request's short-lived objects
die by reference counting before a young collection looks at them.
"""
from __future__ import annotations

import gc

DEFAULT_THRESHOLD = (700, 10, 10)  # CPython's own


def parse_threshold(value: str) -> tuple[int, int, int]:
    """``"50000,20,100"`` -> (50000, 20, 100); empty means CPython's defaults."""
    if not value.strip():
        return DEFAULT_THRESHOLD
    parts = [int(part) for part in value.split(",")]
    if len(parts) != 3 or any(part < 0 for part in parts):
        raise ValueError(f"ALMANAC_GC_THRESHOLD needs three non-negative integers, got {value!r}")
    return parts[0], parts[1], parts[2]


def tune_gc(*, freeze: bool, threshold: str) -> None:
    gc.set_threshold(*parse_threshold(threshold))
    if freeze:
        gc.collect()
        gc.freeze()
