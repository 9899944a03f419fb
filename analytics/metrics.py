"""`skyfare_usage_events_{published,dropped}_total`: plain integers exposed at scrape time.

The search path counts nothing here (an append to the buffer is all it does); the publisher
counts what it sent and what it dropped: a full buffer, a Redis that failed or was too slow.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import REGISTRY
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

_counts = {"published": 0, "dropped": 0}


def count(outcome: str, n: int = 1) -> None:
    _counts[outcome] += n


def value(outcome: str) -> int:
    """The count so far in this process (tests)."""
    return _counts[outcome]


class UsageCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        yield CounterMetricFamily(
            "skyfare_usage_events_published",
            "Usage events written to the usage stream by this process.",
            value=_counts["published"],
        )
        yield CounterMetricFamily(
            "skyfare_usage_events_dropped",
            "Usage events dropped: the buffer was full, or Redis failed or was too slow.",
            value=_counts["dropped"],
        )


REGISTRY.register(UsageCollector())
