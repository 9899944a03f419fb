"""When to retry a message that failed: jittered exponential backoff by delivery count.

The delay after the n-th failed delivery is `base × 2^(n−1)`, capped at `max`, with "equal
jitter": half of it fixed, half spread over the message's own fraction. The fraction is derived
from the stream entry id and the attempt, not drawn at random, so every look at the pending list
(each loop, by any worker) reaches the same verdict, while messages that failed together spread
out instead of retrying in lockstep.
"""

from __future__ import annotations

import hashlib

import msgspec


class Backoff(msgspec.Struct, frozen=True):
    base_s: float = 1.0
    max_s: float = 30.0

    def delay_s(self, attempts: int, key: str) -> float:
        """Seconds to wait after `attempts` deliveries of the message `key` failed."""
        ceiling = min(self.max_s, self.base_s * 2.0 ** max(0, attempts - 1))
        return ceiling / 2 + ceiling / 2 * jitter(f"{key}:{attempts}")

    def due(self, attempts: int, key: str, idle_s: float) -> bool:
        """Has the message waited its delay since its last delivery?"""
        return idle_s >= self.delay_s(attempts, key)


def jitter(key: str) -> float:
    """A fraction in [0, 1), the same for the same key, spread evenly over keys."""
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64
