"""`UsageBuffer`: the bounded in-process buffer usage events wait in, and the loop that publishes
them to the usage stream in batches.

The request path only appends (`emit`): no encoding, no await, no Redis. The loop wakes every
`interval_s`, encodes what is waiting and sends it as one command: a Lua script that `XADD`s
each event as its own entry (capped at about `maxlen` entries), under `timeout_s`. The events
travel as one argument, newline-separated (msgspec's JSON never holds a raw newline), a cached
hit as its stamp's number, time and `took_ms` with each stamp sent once a batch, which the
script splits and rebuilds with a plain `string.find` (a pattern match costs Redis ~20 % more):
redis-py packs every command and argument in Python, ~11 µs of the API process's CPU per event as a
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
from kernel.usage import HitStamp, UsageEvent, encode_usage

logger = logging.getLogger(__name__)

FIELD = "event"
LOG_EVERY_S = 60.0
# One entry per event, as a pipeline of XADDs would write them; KEYS[1] is the stream, ARGV[1]
# the cap, ARGV[2] the events, one a line, ARGV[3] the stamps of cached hits, one a line, as
# head \1 middle \1 tail. An event line starting with \1 is a hit: \1 stamp# \1 at \1 took_ms,
# rebuilt here as head..at..middle..took_ms..tail (JSON never holds a raw \1 or newline). A script
# touching one key is Redis Cluster safe. One XTRIM a batch, not a MAXLEN on each XADD: ~10 % of
# Redis's time per event.
_XADD_ALL = """
local cap, stream = ARGV[1], KEYS[1]
local find, sub, byte, call = string.find, string.sub, string.byte, redis.call
local heads, middles, tails = {}, {}, {}
local stamps, n, from = ARGV[3], 0, 1
while from <= #stamps do
  local to = find(stamps, "\\n", from, true) or #stamps + 1
  local a = find(stamps, "\\1", from, true)
  local b = find(stamps, "\\1", a + 1, true)
  n = n + 1
  heads[n], middles[n], tails[n] = sub(stamps, from, a - 1), sub(stamps, a + 1, b - 1),
    sub(stamps, b + 1, to - 1)
  from = to + 1
end
local events, added = ARGV[2], 0
from = 1
while from <= #events do
  local to = find(events, "\\n", from, true) or #events + 1
  if to > from then
    local event
    if byte(events, from) == 1 then
      local a = find(events, "\\1", from + 1, true)
      local b = find(events, "\\1", a + 1, true)
      local i = tonumber(sub(events, from + 1, a - 1))
      event = heads[i] .. sub(events, a + 1, b - 1) .. middles[i] .. sub(events, b + 1, to - 1)
        .. tails[i]
    else
      event = sub(events, from, to - 1)
    end
    call('XADD', stream, '*', 'event', event)
    added = added + 1
  end
  from = to + 1
end
call('XTRIM', stream, 'MAXLEN', '~', cap)
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
        self._events: deque[UsageEvent | bytes | tuple[HitStamp, bytes, bytes]] = deque()
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

    def emit_hit(self, stamp: HitStamp, at: bytes, took_ms: bytes) -> None:
        if len(self._events) < self._capacity:
            self._events.append((stamp, at, took_ms))
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
        # A hit travels as its stamp's number, `at` and `took_ms` (~30 bytes, not ~250): the
        # socket send of the whole events was the publisher's largest cost.
        stamps: dict[HitStamp, bytes] = {}
        lines = []
        for event in batch:
            if type(event) is tuple:
                stamp, at, took_ms = event
                tag = stamps.get(stamp)
                if tag is None:
                    tag = stamps[stamp] = b"\x01%d\x01" % (len(stamps) + 1)
                lines.append(tag + at + b"\x01" + took_ms)
            elif type(event) is bytes:
                lines.append(event)
            else:
                lines.append(encode_usage(event))
        args = (self._maxlen, b"\n".join(lines), b"\n".join(b"\x01".join(s) for s in stamps))
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
