"""Deadline-bounded retries with full-jitter backoff, for idempotent calls only.

A plain loop rather than tenacity: tenacity builds an `AsyncRetrying` per call whose strategy
objects, closures and thread-local form reference cycles. At a few hundred airline calls a second
that was ~30 garbage objects per call, only the cyclic collector could free them, and it did so
in full (generation 2) collections of the API worker's whole heap: the stalls of the cold-search
tail (bench/results/2026-12-04-cold-tail.md). This loop leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from connectors import errors
from connectors.resilience.policy import ResiliencePolicy

T = TypeVar("T")

# Worth another try: the airline may answer the next request. A `SupplierRejected` is an answer
# (retrying gets the same "no"); `CircuitOpen` and `BulkheadFull` are our own refusals.
RETRYABLE = (errors.ConnectorTimeout, errors.ConnectorUnavailable)


def backoff_s(
    policy: ResiliencePolicy, retry: int, uniform: Callable[[float, float], float]
) -> float:
    """The pause before retry number `retry` (1, 2, …): full jitter, uniform in
    [0, min(backoff_max_s, backoff_base_s · 2^(retry − 1))]."""
    window = policy.backoff_max_s
    if retry - 1 < 64:  # 2**64 · any base is past any sane cap; avoids a float overflow
        window = min(window, policy.backoff_base_s * 2 ** (retry - 1))
    return uniform(0.0, max(0.0, window))


async def with_retries(
    once: Callable[[], Awaitable[T]],
    policy: ResiliencePolicy,
    *,
    deadline: float,
    clock: Callable[[], float],
    on_retry: Callable[[], None],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    uniform: Callable[[float, float], float] = random.uniform,
) -> T:
    """`once()`'s answer; on a `RETRYABLE` error, at most `policy.retries` more attempts, each
    after a backoff, and only while `min_attempt_s` of `deadline` (on `clock`) would be left
    after that backoff. The last error is raised as itself."""
    retry = 0
    while True:
        try:
            return await once()
        except RETRYABLE:
            retry += 1
            if retry > policy.retries:
                raise
            pause = backoff_s(policy, retry, uniform)
            if deadline - clock() - pause < policy.min_attempt_s:
                raise
        on_retry()
        await sleep(pause)
