"""How long an answer stays fresh: shorter the nearer the departure (those fares move fastest)."""

from __future__ import annotations

import msgspec


class TtlPolicy(msgspec.Struct, frozen=True):
    """Fresh TTLs by days to departure, and a stale window as a multiple of the fresh TTL.

    A complete answer with no flights is kept `empty_ttl_s` (a route nobody flies that day stays
    empty, but a glitch should not hide flights for long).
    """

    near_days: int = 3
    near_ttl_s: float = 60.0
    mid_days: int = 14
    mid_ttl_s: float = 300.0
    far_ttl_s: float = 900.0
    stale_factor: float = 4.0
    empty_ttl_s: float = 30.0

    def fresh_ttl(self, days_ahead: int, *, empty: bool = False) -> float:
        if empty:
            return self.empty_ttl_s
        if days_ahead < self.near_days:
            return self.near_ttl_s
        if days_ahead < self.mid_days:
            return self.mid_ttl_s
        return self.far_ttl_s

    def window(self, days_ahead: int, now: float, *, empty: bool = False) -> tuple[float, float]:
        """(fresh_until, stale_until) for an answer obtained at `now` (unix seconds)."""
        fresh = self.fresh_ttl(days_ahead, empty=empty)
        return now + fresh, now + fresh * self.stale_factor
