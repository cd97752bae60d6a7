"""Expanded series, reused across requests: the calendar's entries of one series in one window.

Expanding a recurring series (dateutil, time zones, overrides) is the calendar window's
largest piece of Python work after GraphQL itself. The cache is keyed by everything the
expansion reads (the series row's columns, its overrides, the window), so an edited
series or override simply misses: nothing is ever invalidated, and a stale answer is
impossible. Bounded by the number of entries held (least recently used dropped first);
entries are shared between requests and never modified after they are built.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

from db.rules.calendar_entries import CalendarEntry

MAX_CACHED_ENTRIES = 100_000  # ~30 MB; a month of the scale-10 demo holds ~10,000 event entries


class SeriesEntryCache:
    def __init__(self, max_entries: int = MAX_CACHED_ENTRIES) -> None:
        self.max_entries = max_entries
        self._series: OrderedDict[Hashable, tuple[CalendarEntry, ...]] = OrderedDict()
        self._held = 0

    def entries(self, key: Hashable, build: Callable[[], Sequence[CalendarEntry]]) -> tuple[CalendarEntry, ...]:
        """The series' entries for ``key``, built (and remembered) on a miss."""
        found = self._series.get(key)
        if found is not None:
            self._series.move_to_end(key)
            return found
        built = tuple(build())
        if len(built) <= self.max_entries:
            self._series[key] = built
            self._held += len(built)
            while self._held > self.max_entries:
                _, dropped = self._series.popitem(last=False)
                self._held -= len(dropped)
        return built

    def __len__(self) -> int:
        return len(self._series)


series_entries = SeriesEntryCache()
