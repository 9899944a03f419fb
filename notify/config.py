"""The worker's knobs, as plain values (the composition root fills them from its settings)."""

from __future__ import annotations

import msgspec

from notify.retry import Backoff

GROUP = "notify"  # the consumer group of the notification worker on the event stream


class WorkerConfig(msgspec.Struct, frozen=True):
    batch_size: int = 50
    max_attempts: int = 8
    # A message pending this long with another consumer is taken over (XAUTOCLAIM): its consumer
    # died. Never less than the backoff ceiling, or a retry that is waiting would be stolen.
    claim_min_idle_s: float = 60.0
    backoff: Backoff = Backoff()
    block_s: float = 1.0  # how long one XREADGROUP waits for new entries
    max_pause_s: float = 5.0  # the longest pause between attempts while Redis is down

    @property
    def takeover_idle_s(self) -> float:
        return max(self.claim_min_idle_s, self.backoff.max_s)
