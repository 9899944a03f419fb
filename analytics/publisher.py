"""`UsageBuffer`: the bounded in-process buffer usage events wait in, and the loop that publishes
them to the usage stream in batches.

The request path only appends (`emit`): no encoding, no await, no Redis. The loop wakes every
`interval_s`, encodes what is waiting and sends it as one command: a Lua script that `XADD`s
each event as its own entry (capped at about `maxlen` entries), under `timeout_s`. The events
travel as one argument, newline-separated (msgspec's JSON never holds a raw newline), which the
script splits with a plain `string.find` (a pattern match costs Redis ~20 % more): redis-py
packs every command and argument in Python, ~11 µs of the API process's CPU per event as a
pipeline of `XADD`s and ~1.3 µs as one argument each (measured), and the publisher shares its
process's core with the searches it reports. Batches of up to 1,024 events cost the API process
~0.25 µs an event against ~0.55 µs for 256 (redis-py's fixed cost per call) and hold Redis ~2 ms;
waking every 0.2 s rather than 0.05 s halves the publisher's CPU per event again at 15,000
events/s (bench/results/2026-12-03-usage-cost-perf.md).
A full buffer, or a batch Redis failed or was too slow for, is counted as dropped
(`skyfare_usage_events_dropped_total`), never retried into the request path.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable

import redis.asyncio as redis
from redis.exceptions import RedisError

from analytics import metrics
from kernel.usage import UsageEvent, encode_usage

logger = logging.getLogger(__name__)

FIELD = "event"
LOG_EVERY_S = 60.0
# One entry per event, as a pipeline of XADDs would write them; KEYS[1] is the stream, ARGV[1]
# the cap, ARGV[2] the events, one a line. A script touching one key is Redis Cluster safe.
_XADD_ALL = """
local events, cap, stream = ARGV[2], ARGV[1], KEYS[1]
local find, sub, call = string.find, string.sub, redis.call
local added, from = 0, 1
while from <= #events do
  local to = find(events, "\\n", from, true) or #events + 1
  if to > from then
    call('XADD', stream, 'MAXLEN', '~', cap, '*', 'event', sub(events, from, to - 1))
    added = added + 1
  end
  from = to + 1
end
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
        self._client = client
        self._stream = stream
        self._maxlen = maxlen
        self._capacity = capacity
        self._batch_size = batch_size
        self._interval_s = interval_s
        self._timeout_s = timeout_s
        self._clock = clock
        self._events: deque[UsageEvent | bytes] = deque()
        self._xadd_all = client.register_script(_XADD_ALL)
        self._logged_at = -LOG_EVERY_S
        self._suppressed = 0

    def __len__(self) -> int:
        return len(self._events)

    def emit(self, event: UsageEvent) -> None:
        if len(self._events) < self._capacity:
            self._events.append(event)
        else:
            metrics.count("dropped")

    def emit_json(self, data: bytes) -> None:
        if len(self._events) < self._capacity:
            self._events.append(data)
        else:
            metrics.count("dropped")

    async def run(self) -> None:
        """Publish forever (until cancelled), one batch after another while events wait."""
        while True:
            await asyncio.sleep(self._interval_s)
            while self._events:
                await self.flush()

    async def flush(self) -> int:
        """Send up to `batch_size` waiting events; the number sent (0 when dropped)."""
        events = self._events
        batch = [events.popleft() for _ in range(min(self._batch_size, len(events)))]
        if not batch:
            return 0
        lines = [e if isinstance(e, bytes) else encode_usage(e) for e in batch]
        args = (self._maxlen, b"\n".join(lines))
        try:
            async with asyncio.timeout(self._timeout_s):
                await self._xadd_all(keys=[self._stream], args=args)
        except (RedisError, OSError, TimeoutError) as exc:
            metrics.count("dropped", len(batch))
            self._log_failure(exc, len(batch))
            return 0
        metrics.count("published", len(batch))
        return len(batch)

    async def drain(self) -> None:
        """Send what is waiting (at shutdown): each batch under its own timeout."""
        while self._events:
            await self.flush()

    def _log_failure(self, exc: BaseException, dropped: int) -> None:
        # Redis down fails every batch: one line a minute, with what it did not say.
        now = self._clock()
        if now - self._logged_at < LOG_EVERY_S:
            self._suppressed += 1
            return
        logger.warning(
            "usage events: %d dropped, the stream cannot be written: %r (%d similar suppressed)",
            dropped,
            exc,
            self._suppressed,
        )
        self._logged_at, self._suppressed = now, 0
