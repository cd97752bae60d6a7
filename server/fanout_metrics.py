"""The server's share of a subscription change's latency, as Prometheus histograms.

A bench that times commit-to-client from outside also times its own clients (on a
2-core machine they parse on the same cores). These two histograms split off what
the server spends, per change and subscription group:

- ``almanac_fanout_commit_to_offer_seconds``: the change-log row's ``created_at`` to
  the moment this process's broker offered it to the groups (relay + Redis);
- ``almanac_fanout_offer_to_write_seconds``: that moment to the last member's frame
  handed to its socket (execution + writes).
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

from prometheus_client.core import HistogramMetricFamily
from prometheus_client.registry import Collector

BOUNDS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0)


class LagHistogram:
    """Counts per upper bound (seconds), cumulative only when exposed: one bisect per observation."""

    __slots__ = ("counts", "total")

    def __init__(self) -> None:
        self.counts = [0] * (len(BOUNDS) + 1)  # the last one is +Inf
        self.total = 0.0

    def observe(self, seconds: float) -> None:
        self.counts[bisect_left(BOUNDS, seconds)] += 1
        self.total += seconds

    def family(self, name: str, documentation: str) -> HistogramMetricFamily:
        buckets: list[tuple[str, float]] = []
        running = 0
        for bound, count in zip((*map(str, BOUNDS), "+Inf"), self.counts, strict=True):
            running += count
            buckets.append((bound, running))
        family = HistogramMetricFamily(name, documentation)
        family.add_metric([], buckets, self.total)
        return family


class FanoutLag(Collector):
    """Reads a ``server.fanout.FanoutStats`` at scrape time."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats

    def collect(self) -> Iterator[HistogramMetricFamily]:
        yield self.stats.commit_to_offer.family(
            "almanac_fanout_commit_to_offer_seconds", "Change-log row written to offered to subscription groups.")
        yield self.stats.offer_to_write.family(
            "almanac_fanout_offer_to_write_seconds", "Offered to a group to its last member's frame written.")
