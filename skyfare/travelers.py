"""The traveler gate: authenticate the Bearer token, then rate-limit its traveler (OWASP API6).

The plumbing calls `request.config_dict[AUTHENTICATE](request)` before every route that declares
Bearer security (skyfare/guard.py); the composition root sets it to a `TravelerGate`, so every
one of those routes (create, list, get, cancel, pay) is limited without a line in the views. The
limit is the partners' GCRA in Redis (skyfare/ratelimit.py), keyed on the token's `sub` —
support agents included: a stolen support token is the one that most needs a bound.
Authentication comes first, so an anonymous caller gets its 401 and never a 429 (it learns
nothing, and costs Redis nothing).

Responses carry `RateLimit-*` headers; past the limit, 429 with `Retry-After`. Redis down or
slow: the request is let through (fail open, counted in `skyfare_ratelimit_fail_open_total`),
as for partners — the open-hold caps (booking/limits.py, in PostgreSQL) still hold then.
"""

from __future__ import annotations

import hashlib

import msgspec
from aiohttp import web

from booking import metrics
from kernel.auth import Authenticator, Principal
from kernel.errors import RateLimited
from kernel.http import add_response_headers
from skyfare.ratelimit import RateLimiter, describe_rate, rate_limit_headers

KEY_PREFIX = "skyfare:ratelimit:traveler:"


class Traveler(msgspec.Struct, frozen=True):
    """A traveler as the limiter sees it: `id` is a digest of `sub`, so a key stays short
    whatever the issuer puts in `sub`."""

    id: str
    rate_per_s: float
    burst: int


class TravelerGate:
    """`principal = await gate(request)`: 401/503 from `authenticate`, then 429 past the limit."""

    def __init__(
        self, authenticate: Authenticator, limiter: RateLimiter, *, rate_per_s: float, burst: int
    ) -> None:
        self._authenticate = authenticate
        self._limiter = limiter
        self._rate_per_s = rate_per_s
        self._burst = burst
        metrics.start_rate_limit()  # this process limits travelers: its series from now on

    async def __call__(self, request: web.Request, /) -> Principal:
        principal = await self._authenticate(request)
        digest = hashlib.sha256(principal.subject.encode()).hexdigest()[:32]
        traveler = Traveler(digest, self._rate_per_s, self._burst)
        decision = await self._limiter.decide(traveler)
        add_response_headers(request, rate_limit_headers(decision))
        if not decision.allowed:
            metrics.limit_reached("rate")
            raise RateLimited(
                f"rate limit of {describe_rate(self._rate_per_s)} per traveler exceeded "
                f"(bursts of {self._burst}); retry in {decision.retry_after_s:.1f} s",
                retry_after_s=decision.retry_after_s,
            )
        return principal
