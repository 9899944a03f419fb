"""`skyfare_usage_events_{published,dropped}_total`: counted by the usage publisher only.

The search path counts nothing here (an append to the buffer is all it does); the publisher
counts what it sent and what it dropped: a full buffer, a Redis that failed or was too slow.
Exported from the publisher's start (kernel/counters.py): the relay, the worker and the
analytics consumer, which publish no usage events, served both as 0.
"""

from __future__ import annotations

from kernel.counters import MeasuredCounter

_COUNTERS = {
    "published": MeasuredCounter(
        "skyfare_usage_events_published",
        "Usage events written to the usage stream by this process.",
    ),
    "dropped": MeasuredCounter(
        "skyfare_usage_events_dropped",
        "Usage events dropped: the buffer was full, or Redis failed or was too slow.",
    ),
}


def start() -> None:
    """This process publishes usage events: both exported from now on."""
    for counter in _COUNTERS.values():
        counter.start()


def count(outcome: str, n: int = 1) -> None:
    _COUNTERS[outcome].inc(n)


def value(outcome: str) -> int:
    """The count so far in this process (tests)."""
    return int(_COUNTERS[outcome].value() or 0)
