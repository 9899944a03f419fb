"""Deadline-bounded retries with jittered backoff (tenacity), for idempotent calls only."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    stop_any,
    wait_random_exponential,
)
from tenacity.stop import stop_base

from connectors import errors
from connectors.resilience.policy import ResiliencePolicy

# Worth another try: the airline may answer the next request. A `SupplierRejected` is an answer
# (retrying gets the same "no"); `CircuitOpen` and `BulkheadFull` are our own refusals.
RETRYABLE = (errors.ConnectorTimeout, errors.ConnectorUnavailable)


class StopAtDeadline(stop_base):
    """Stop when, after the coming backoff, less than `min_attempt_s` of the deadline would be left.

    tenacity's own `stop_before_delay` measures from the first attempt with its own clock; the
    deadline belongs to the search, which began before us, and is read on the injected clock.
    """

    def __init__(self, deadline: float, min_attempt_s: float, clock: Callable[[], float]) -> None:
        self.deadline = deadline
        self.min_attempt_s = min_attempt_s
        self.clock = clock

    def __call__(self, retry_state: RetryCallState) -> bool:
        left = self.deadline - self.clock() - retry_state.upcoming_sleep
        return left < self.min_attempt_s


def retrying(
    policy: ResiliencePolicy,
    *,
    deadline: float,
    clock: Callable[[], float],
    on_retry: Callable[[], None],
) -> AsyncRetrying:
    """A one-shot `AsyncRetrying` for one call: at most `policy.retries` retries, within `deadline`.

    tenacity's defaults retry forever on any exception; every parameter here is explicit. The last
    exception is re-raised as itself (`reraise=True`), never wrapped in `RetryError`.
    """
    return AsyncRetrying(
        sleep=asyncio.sleep,
        stop=stop_any(
            stop_after_attempt(policy.retries + 1),
            StopAtDeadline(deadline, policy.min_attempt_s, clock),
        ),
        wait=wait_random_exponential(multiplier=policy.backoff_base_s, max=policy.backoff_max_s),
        retry=retry_if_exception_type(RETRYABLE),
        before_sleep=lambda _state: on_retry(),
        reraise=True,
    )
