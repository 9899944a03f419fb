"""`UsageBuffer`: the bounded in-process buffer usage events wait in, and the loop that publishes
them to the usage stream in batches.

The request path only appends (`emit`): no encoding, no await, no Redis. The loop wakes every
`interval_s`, encodes what is waiting and sends it as one command: a Lua script that `XADD`s
each line as its own entry (capped at about `maxlen` entries), under `timeout_s`. The entries
travel as one argument, newline-separated (msgspec's JSON never holds a raw newline): redis-py
packs every command and argument in Python, ~11 µs of the API process's CPU per event as a
pipeline of `XADD`s and ~1.3 µs as one argument each (measured), and the publisher shares its
process's core with the searches it reports. The cached hits of one search and answer in a
batch go as one `hits` entry (kernel/usage.py `HitsEvent`: the event once, then each hit's `at`
and `took_ms`): an entry per hit cost Redis ~3 µs (its `XADD`) and the publisher ~0.9 µs, on
the cores the searches use (bench/results/2026-12-03-usage-hits-coalesced.md); the hits wait
grouped that way already, as references to the bytes the caller holds, so a hit allocates
nothing here. A batch holds up to 1,024 other events and every hit waiting (a few bytes each);
waking every 0.2 s rather than 0.05 s halves the publisher's CPU per event at 15,000 events/s
(bench/results/2026-12-03-usage-cost-perf.md).
Each wake sends one batch, and more only while a full batch or half the buffer is waiting: what
came in during the send waits for the next wake. (Draining until the buffer was empty, under
steady load, sent a batch per turn of the event loop — whatever its requests had added during the
last round trip, ~64 hits: ~10 % of the worker's time under a cached-search load, and 5 % of
the events dropped, bench/results/2026-12-05-usage-wakes.md.) An emit that fills half the
buffer wakes the loop early, so a rate the interval's batch would not hold is sent, not dropped.
A full buffer, or a batch Redis failed or was too slow for, is counted as dropped
(`skyfare_usage_events_dropped_total`), never retried into the request path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable

import redis.asyncio as redis
from redis.exceptions import RedisClusterException, RedisError

from analytics import metrics
from kernel.logs import describe
from kernel.usage import HitStamp, UsageEvent, encode_usage, hits_json

logger = logging.getLogger(__name__)

FIELD = "event"
LOG_EVERY_S = 60.0
# One entry per line, as a pipeline of XADDs would write them; KEYS[1] is the stream, ARGV[1]
# the cap, ARGV[2] the entries, one a line (JSON never holds a raw newline). A script touching one
# key is Redis Cluster safe. One XTRIM a batch, not a MAXLEN on each XADD: ~10 % of Redis's time
# per entry. A plain `string.find`, not a pattern match: ~20 % less of Redis's time.
_XADD_ALL = """
local stream, entries, call, find, sub = KEYS[1], ARGV[2], redis.call, string.find, string.sub
local from, added = 1, 0
while from <= #entries do
  local to = find(entries, "\\n", from, true) or #entries + 1
  if to > from then
    call('XADD', stream, '*', 'event', sub(entries, from, to - 1))
    added = added + 1
  end
  from = to + 1
end
call('XTRIM', stream, 'MAXLEN', '~', ARGV[1])
return added
"""


class UsageBuffer:
    """A `kernel.usage.UsageSink` that publishes to the Redis stream `stream`."""

    def __init__(
        self,
        client: redis.Redis,
        stream: str,
        *,
        maxlen: int,
        capacity: int = 10_000,
        batch_size: int = 1024,
        interval_s: float = 0.2,
        timeout_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        metrics.start()  # this process publishes: its counts exported from now on, at 0
        self._client = client
        self._stream = stream
        self._maxlen = maxlen
        self._capacity = capacity
        self._batch_size = batch_size
        self._interval_s = interval_s
        self._timeout_s = timeout_s
        self._clock = clock
        self._events: deque[UsageEvent | bytes] = deque()
        # Cached hits waiting, per stamp: each hit's `at` and `took_ms` (kernel/usage.HitsEvent).
        self._hits: dict[HitStamp, tuple[list[bytes], list[bytes]]] = {}
        self._waiting_hits = 0
        self._xadd_all = client.register_script(_XADD_ALL)
        # Half the buffer waiting wakes the publisher before its interval is up.
        self._wake_at = max(1, capacity // 2)
        self._wake = asyncio.Event()
        self._logged_at = -LOG_EVERY_S
        self._suppressed = 0

    def __len__(self) -> int:
        return len(self._events) + self._waiting_hits

    def emit(self, event: UsageEvent) -> None:
        self._append(event)

    def emit_json(self, data: bytes) -> None:
        self._append(data)

    def _append(self, event: UsageEvent | bytes) -> None:
        waiting = len(self)
        if waiting < self._capacity:
            self._events.append(event)
            if waiting + 1 == self._wake_at:
                self._wake.set()
        else:
            metrics.count("dropped")

    def emit_hit(self, stamp: HitStamp, at: bytes, took_ms: bytes, count: int = 1) -> None:
        # Grouped here, per stamp, as references to bytes the caller keeps anyway: nothing is
        # allocated per hit (a tuple per hit, kept until the next batch, cost the API ~15 µs a
        # request when it shared a core with its load generator, bench/results/
        # 2026-12-03-usage-hits-coalesced.md). As many as there is room for; the rest dropped.
        waiting = self._waiting_hits + len(self._events)
        taken = min(count, self._capacity - waiting)
        if taken > 0:
            if waiting < self._wake_at <= waiting + taken:
                self._wake.set()
            found = self._hits.get(stamp)
            if found is None:
                found = self._hits[stamp] = ([], [])
            if taken == 1:
                found[0].append(at)
                found[1].append(took_ms)
            else:
                found[0].extend([at] * taken)
                found[1].extend([took_ms] * taken)
            self._waiting_hits += taken
        if taken < count:
            metrics.count("dropped", count - max(taken, 0))

    async def run(self) -> None:
        """Publish forever (until cancelled): every `interval_s`, or sooner when half the
        buffer is waiting."""
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._interval_s):
                    await self._wake.wait()
            await self.publish_due()

    async def publish_due(self) -> None:
        """One wake's work: a batch, then more only while a full batch of events or half the
        buffer is waiting (a backlog); what arrives during a send otherwise waits for the next
        wake."""
        self._wake.clear()
        await self.flush()
        while len(self._events) >= self._batch_size or len(self) >= self._wake_at:
            self._wake.clear()
            await self.flush()

    async def flush(self) -> int:
        """Send up to `batch_size` waiting events and every waiting hit (one `hits` entry per
        search and answer); the number of events sent (0 when dropped)."""
        events = self._events
        batch = [events.popleft() for _ in range(min(self._batch_size, len(events)))]
        hits, self._hits = self._hits, {}
        count, self._waiting_hits = len(batch) + self._waiting_hits, 0
        if not count:
            return 0
        lines = [event if type(event) is bytes else encode_usage(event) for event in batch]
        lines += [hits_json(stamp, at, took_ms) for stamp, (at, took_ms) in hits.items()]
        args = (self._maxlen, b"\n".join(lines))
        try:
            async with asyncio.timeout(self._timeout_s):
                await self._xadd_all(keys=[self._stream], args=args)
        except (RedisError, RedisClusterException, OSError, TimeoutError) as exc:
            metrics.count("dropped", count)
            self._log_failure(exc, count)
            return 0
        metrics.count("published", count)
        return count

    async def drain(self) -> None:
        """Send what is waiting (at shutdown): each batch under its own timeout."""
        while len(self):
            await self.flush()

    def _log_failure(self, exc: BaseException, dropped: int) -> None:
        # Redis down fails every batch: one line a minute, with what it did not say.
        now = self._clock()
        if now - self._logged_at < LOG_EVERY_S:
            self._suppressed += 1
            return
        logger.warning(
            "usage events: %d dropped, the stream cannot be written: %s (%d similar suppressed)",
            dropped,
            describe(exc),
            self._suppressed,
        )
        self._logged_at, self._suppressed = now, 0
