"""Per-partner rate limits: GCRA in one Redis Lua script, shared by every API process.

GCRA (the generic cell rate algorithm) keeps ONE number per partner, the theoretical arrival time
(TAT) of the next request; a request is allowed when it does not come more than `burst` emission
intervals early. The whole read-decide-write runs inside a Lua script, so it is atomic across
processes and machines, and reads the clock with Redis `TIME`, so API processes whose clocks
drift still agree. redis-py's `register_script` sends EVALSHA and falls back to EVAL (loading the
script) on NOSCRIPT, e.g. after a Redis restart.

Redis down or slow → the request is ALLOWED (fail open), logged (at most once a minute) and
counted in `skyfare_ratelimit_fail_open_total`: the limiter protects the service from a greedy
partner; it must not become the reason the partner API is down. A short timeout bounds what
Redis may add to a request.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from typing import Protocol

import msgspec
import redis.asyncio as redis
from aiohttp import web
from redis.exceptions import RedisClusterException, RedisError

from cache.batch import evalsha
from kernel.counters import MeasuredCounter
from kernel.errors import RateLimited
from kernel.logs import describe

logger = logging.getLogger(__name__)

# Exported by a process that limits, from its first limiter (kernel/counters.py): the relay and
# the worker, which limit nothing, served it as 0.
FAIL_OPEN = MeasuredCounter(
    "skyfare_ratelimit_fail_open_total",
    "Requests allowed without a rate-limit check because Redis did not answer",
)
DEFAULT_TIMEOUT_S = 0.05
_LOG_EVERY_S = 60.0
_US = 1_000_000

# KEYS[1]: the partner's TAT key. ARGV: emission interval (µs per request), burst.
# Returns {allowed (0|1), remaining, retry_after_us, reset_after_us}.
GCRA_SCRIPT = """
local emission = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local new_tat = tat + emission
local diff = now - (new_tat - emission * burst)
if diff < 0 then
  return {0, 0, math.ceil(-diff), math.ceil(tat - now)}
end
local reset_after = new_tat - now
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX',
           math.max(1, math.ceil(reset_after / 1000)))
return {1, math.floor(diff / emission), 0, math.ceil(reset_after)}
"""


# KEYS[1]: the caller's TAT key. ARGV: emission interval (µs). Gives back one request `check`
# allowed (moves the TAT one interval earlier, never before now). Returns 1 if there was one.
REFUND_SCRIPT = """
local tat = tonumber(redis.call('GET', KEYS[1]))
if not tat then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local new_tat = tat - tonumber(ARGV[1])
if new_tat <= now then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX',
             math.max(1, math.ceil((new_tat - now) / 1000)))
end
return 1
"""


class Limited(Protocol):
    """What the limiter needs to know about a caller (a `skyfare.partners.Partner`, or a
    `skyfare.travelers.Traveler` under its own key prefix)."""

    @property
    def id(self) -> int | str: ...
    @property
    def rate_per_s(self) -> float: ...
    @property
    def burst(self) -> int: ...


class Decision(msgspec.Struct, frozen=True):
    """One check's outcome; `limit` is the burst (the most requests allowed at once)."""

    allowed: bool
    limit: int
    remaining: int
    retry_after_s: float
    reset_after_s: float  # until the bucket is full again


_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(s|sec|second|m|min|minute|h|hour)\s*$")
_PER = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}


def parse_rate(text: str) -> float:
    """ "50/s", "3000/min", "10000/h" → requests per second; ValueError if malformed or ≤ 0."""
    match = _RATE.match(text.lower())
    if match is None:
        raise ValueError(f"rate {text!r}: expected <number>/s, /min or /h, e.g. 50/s")
    rate = float(match.group(1)) / _PER[match.group(2)]
    if rate <= 0:
        raise ValueError(f"rate {text!r} must be above zero")
    return rate


_UNITS = (("s", 1), ("min", 60), ("h", 3600))


def describe_rate(rate_per_s: float) -> str:
    """Requests per second in words a partner's contract uses: in the smallest unit where the
    count is whole ("2 requests/min", not "0.0333333 requests/s"), else per hour."""
    count, unit = _whole_count(rate_per_s)
    noun = "request" if count == 1 else "requests"
    return f"{count:g} {noun}/{unit}"


def short_rate(rate_per_s: float) -> str:
    """The rate as `--rate` takes it, in the unit `describe_rate` picks: "50/s", "2/min"."""
    count, unit = _whole_count(rate_per_s)
    return f"{count:g}/{unit}"


def _whole_count(rate_per_s: float) -> tuple[float, str]:
    # 2/min, stored per second, comes back as 1.99999…: counts are rounded to 3 decimals.
    counts = [(round(rate_per_s * seconds, 3), unit) for unit, seconds in _UNITS]
    return next(((c, u) for c, u in counts if c >= 1 and c == int(c)), counts[-1])


class RateLimiter:
    """`check(partner)` → Decision, or raises RateLimited (429 with Retry-After)."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        prefix: str = "skyfare:ratelimit:",
    ) -> None:
        self._script = client.register_script(GCRA_SCRIPT)
        self._refund = client.register_script(REFUND_SCRIPT)
        FAIL_OPEN.start()
        self._timeout_s = timeout_s
        self._prefix = prefix
        self._last_logged = -math.inf

    async def check(self, caller: Limited) -> Decision:
        decision = await self.decide(caller)
        if not decision.allowed:
            raise RateLimited(
                f"rate limit of {describe_rate(caller.rate_per_s)} exceeded; "
                f"retry in {decision.retry_after_s:.3f} s",
                retry_after_s=decision.retry_after_s,
            )
        return decision

    async def decide(self, caller: Limited) -> Decision:
        """The decision without raising: fails open when Redis does not answer in time."""
        emission_us = _US / caller.rate_per_s
        try:
            async with asyncio.timeout(self._timeout_s):
                reply = await evalsha(
                    self._script, [f"{self._prefix}{caller.id}"], [emission_us, caller.burst]
                )
        except (RedisError, RedisClusterException, OSError, TimeoutError) as exc:
            self._fail_open(exc)
            return Decision(True, caller.burst, caller.burst, 0.0, 0.0)
        allowed, remaining, retry_after_us, reset_after_us = (int(v) for v in reply)
        return Decision(
            bool(allowed), caller.burst, remaining, retry_after_us / _US, reset_after_us / _US
        )

    async def refund(self, caller: Limited) -> None:
        """Give back one request `check` allowed, for one that turned out to cost nothing (a
        replayed answer). Redis down or slow: nothing is given back (logged as `decide` does)."""
        try:
            async with asyncio.timeout(self._timeout_s):
                await evalsha(
                    self._refund, [f"{self._prefix}{caller.id}"], [_US / caller.rate_per_s]
                )
        except (RedisError, RedisClusterException, OSError, TimeoutError) as exc:
            self._warn("rate limiter gave nothing back, Redis did not answer: %s", exc)

    def _fail_open(self, exc: BaseException) -> None:
        FAIL_OPEN.inc()
        self._warn("rate limiter failing open, Redis did not answer: %s", exc)

    def _warn(self, message: str, exc: BaseException) -> None:
        now = time.monotonic()
        if now - self._last_logged >= _LOG_EVERY_S:  # Redis down: not one line per request
            self._last_logged = now
            logger.warning(message, describe(exc))


def rate_limit_headers(decision: Decision) -> dict[str, str]:
    """IETF draft RateLimit-* headers (draft-ietf-httpapi-ratelimit-headers-03 field names)."""
    return {
        "RateLimit-Limit": str(decision.limit),
        "RateLimit-Remaining": str(decision.remaining),
        "RateLimit-Reset": str(math.ceil(decision.reset_after_s)),
    }


def stamp_headers(response: web.StreamResponse, decision: Decision) -> None:
    response.headers.update(rate_limit_headers(decision))
