"""`ResiliencePolicy`: how hard the resilience layer protects the service from one airline.

Field names are snake_case settings, so a JSON or environment config decodes into it 1:1
(`msgspec.convert(config, ResiliencePolicy)`).
"""

from __future__ import annotations

import msgspec


class ResiliencePolicy(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Breaker, bulkhead, retry and hedging settings for one connector.

    - Breaker: opens when, over the last `window_s` seconds, at least `min_calls` calls were made
      and at least `failure_rate_threshold` of them failed; stays open `open_s` ± `open_jitter` (a
      fraction), then admits up to `half_open_max_probes` concurrent probes and closes after that
      many probe successes; one probe failure re-opens it. With `open_after_failures` set, it
      also opens once that many calls in a row failed (no success between) within the window,
      whatever the rate: a dependency that stopped answering, not one that stumbled once among
      many answers (the fare index's reads: search/fare_index_breaker.py).
    - Bulkhead: at most `max_concurrency` calls in flight to the airline, excess calls are skipped.
    - Retries (search, price, retrieve only): up to `retries` more attempts on a timeout or an
      unavailable airline, after a full-jitter exponential backoff from `backoff_base_s` capped at
      `backoff_max_s`, and only while at least `min_attempt_s` of the deadline is left after it.
    - Hedging (search only, when `hedge`): a second request once the first has run for the observed
      p95 latency, if `hedge_min_samples` latencies are known and more than twice p95 is left.
    - `deadline_slack_s`: a call cancelled this close to its deadline missed it (a timeout failure);
      one cancelled earlier was abandoned by the caller and says nothing about the airline.
    - `latency_samples`: how many recent latencies p50/p95/p99 are computed from.
    """

    window_s: float = 10.0
    min_calls: int = 10
    failure_rate_threshold: float = 0.5
    open_s: float = 5.0
    open_jitter: float = 0.2
    half_open_max_probes: int = 2
    open_after_failures: int | None = None
    max_concurrency: int = 32
    retries: int = 1
    backoff_base_s: float = 0.02
    backoff_max_s: float = 0.5
    min_attempt_s: float = 0.05
    hedge: bool = False
    hedge_min_samples: int = 20
    latency_samples: int = 200
    deadline_slack_s: float = 0.05

    def __post_init__(self) -> None:
        positive = {
            "window_s": self.window_s,
            "open_s": self.open_s,
            "min_calls": self.min_calls,
            "half_open_max_probes": self.half_open_max_probes,
            "max_concurrency": self.max_concurrency,
            "latency_samples": self.latency_samples,
        }
        for field, value in positive.items():
            if value <= 0:
                raise ValueError(f"{field} must be positive, got {value}")
        if not 0.0 < self.failure_rate_threshold <= 1.0:
            raise ValueError("failure_rate_threshold must be in (0, 1]")
        if not 0.0 <= self.open_jitter < 1.0:
            raise ValueError("open_jitter must be in [0, 1)")
        count = self.open_after_failures
        if count is not None and count <= 0:
            raise ValueError(f"open_after_failures must be positive, got {count}")
        non_negative = {
            "retries": self.retries,
            "backoff_base_s": self.backoff_base_s,
            "backoff_max_s": self.backoff_max_s,
            "min_attempt_s": self.min_attempt_s,
            "hedge_min_samples": self.hedge_min_samples,
            "deadline_slack_s": self.deadline_slack_s,
        }
        for field, value in non_negative.items():
            if value < 0:
                raise ValueError(f"{field} must not be negative, got {value}")
