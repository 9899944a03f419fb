"""The worker's Prometheus metrics, served by the worker process itself on its own port.

Counters only exist in the process that counts, so the worker serves `/metrics` (see
skyfare/notify_runner.py); the group's lag and pending count and the dead-letter stream's length
are read from Redis (XINFO GROUPS, XLEN) when scraped. Those three are exported only once read
(kernel/gauges.py): every other process imports this module too, and served them as 0.
"""

from __future__ import annotations

import functools
from typing import Literal, get_args

from prometheus_client import Counter

from kernel.counters import MeasuredCounter, start_series
from kernel.gauges import MeasuredGauge
from notify.stream import EventStream
from notify.templates import NOTIFIED_TYPES, Channel

EVENTS_CONSUMED = Counter(
    "skyfare_events_consumed",
    "Events the notification worker handled, by type and outcome "
    "(sent, duplicate, skipped, busy, retry, dead).",
    ("type", "outcome"),
)
NOTIFICATIONS_SENT = Counter(
    "skyfare_notifications_sent",
    "Notifications handed to their provider, by channel.",
    ("channel",),
)
NOTIFICATIONS_TURNED_OFF = Counter(
    "skyfare_notifications_turned_off",
    "Notifications not sent because the order's owner turned their channel off, by channel.",
    ("channel",),
)
# From the worker's start only (kernel/counters.py): the API processes and the relay served it as 0.
DEAD_LETTERED = MeasuredCounter(
    "skyfare_events_dead_lettered", "Events this worker parked in the dead-letter stream."
)
GROUP_LAG = MeasuredGauge(
    "skyfare_notify_lag_events", "Events on the stream not yet delivered to the group `notify`."
)
GROUP_PENDING = MeasuredGauge(
    "skyfare_notify_pending_events", "Events delivered to the group `notify`, not yet acknowledged."
)
DEAD_LETTERS = MeasuredGauge("skyfare_notify_dead_letters", "Entries in the dead-letter stream.")

_KNOWN_TYPES = frozenset({*NOTIFIED_TYPES, "order.created", "order.failed"})
OTHER_TYPE = "other"
# notify.handlers.Outcome's values, but a failed attempt is counted as what came of it: `retry`
# or `dead` (notify.worker).
ConsumedOutcome = Literal["sent", "duplicate", "skipped", "busy", "retry", "dead"]


def start() -> None:
    """This process is the notification worker: its counters at 0 from now on (not at import:
    every process imports this module), so a rate() over one sees its first increment."""
    DEAD_LETTERED.start()
    start_series(EVENTS_CONSUMED, sorted({*_KNOWN_TYPES, OTHER_TYPE}), get_args(ConsumedOutcome))
    start_series(NOTIFICATIONS_SENT, get_args(Channel))
    start_series(NOTIFICATIONS_TURNED_OFF, get_args(Channel))


def type_label(event_type: str) -> str:
    """The event type as a label: anything unexpected is `other` (bounded cardinality)."""
    return event_type if event_type in _KNOWN_TYPES else OTHER_TYPE


# The labelled children, looked up once: `labels()` takes a lock and builds a key on every call
# (a few µs, several times per event). Both label sets are bounded, so the caches are.
@functools.cache
def consumed(type_label: str, outcome: str) -> Counter:
    return EVENTS_CONSUMED.labels(type_label, outcome)


@functools.cache
def sent(channel: str) -> Counter:
    return NOTIFICATIONS_SENT.labels(channel)


async def refresh_gauges(stream: EventStream) -> None:
    state = await stream.state()
    GROUP_LAG.set(state.lag)
    GROUP_PENDING.set(state.pending)
    DEAD_LETTERS.set(state.dead)
