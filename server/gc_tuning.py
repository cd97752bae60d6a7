"""Garbage-collector settings for a server process, applied once start-up is done.

Measured on the nested task query (issue 12): with Python's defaults the collector took
44-52 % of the CPU, mostly full collections walking the start-up heap (schema, ORM
mappers, modules) that never becomes garbage. ``gc.freeze()`` moves that heap out of
the collector's sight, and a higher first threshold lets a request's short-lived objects
die by reference counting before a young collection looks at them.

``GC_TIMES`` keeps the collector's time per generation (``gc.callbacks``), served at
``/metrics`` as ``almanac_gc_seconds_total{generation}``, so a bench can tell what a
threshold costs instead of guessing (bench/realtime_scale.py prints it per run).
"""
from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

DEFAULT_THRESHOLD = (700, 10, 10)  # CPython's own


def parse_threshold(value: str) -> tuple[int, int, int]:
    """``"50000,20,100"`` -> (50000, 20, 100); empty means CPython's defaults."""
    if not value.strip():
        return DEFAULT_THRESHOLD
    parts = [int(part) for part in value.split(",")]
    if len(parts) != 3 or any(part < 0 for part in parts):
        raise ValueError(f"ALMANAC_GC_THRESHOLD needs three non-negative integers, got {value!r}")
    return parts[0], parts[1], parts[2]


class GcTimes:
    """Seconds spent in, and number of, collections per generation since the process started."""

    __slots__ = ("_started", "collections", "seconds")

    def __init__(self) -> None:
        self.seconds = [0.0, 0.0, 0.0]
        self.collections = [0, 0, 0]
        self._started = 0.0

    def callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        generation = info["generation"]
        self.seconds[generation] += time.perf_counter() - self._started
        self.collections[generation] += 1


GC_TIMES = GcTimes()
gc.callbacks.append(GC_TIMES.callback)


class GcCollector(Collector):
    def collect(self) -> Iterator[CounterMetricFamily]:
        seconds = CounterMetricFamily("almanac_gc_seconds", "Time spent in garbage collections.",
                                      labels=["generation"])
        count = CounterMetricFamily("almanac_gc_collections", "Garbage collections.", labels=["generation"])
        for generation in range(3):
            seconds.add_metric([str(generation)], GC_TIMES.seconds[generation])
            count.add_metric([str(generation)], GC_TIMES.collections[generation])
        yield seconds
        yield count


def tune_gc(*, freeze: bool, threshold: str) -> None:
    gc.set_threshold(*parse_threshold(threshold))
    if freeze:
        gc.collect()
        gc.freeze()
