"""Metasearch partners: API keys (issued, listed, revoked, authenticated) and the route gate.

Keys are `sk_live_` + 32 url-safe characters (24 random bytes = 192 bits). Only their SHA-256 is
stored. A slow password hash (bcrypt, argon2) protects LOW-entropy secrets from guessing after a
database leak; a 192-bit random key cannot be guessed however fast the hash, and a fast hash lets
the lookup be one indexed equality per request (a salted slow hash would need the salt first and
cost ~50-100 ms of CPU per request). The raw key is shown once, at creation, and never logged;
`key_prefix` (the first 12 characters) names a key in listings.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable

import asyncpg
import msgspec
from aiohttp import web

from kernel.auth import PARTNER_NAME
from kernel.errors import Conflict, RateLimited, ServiceUnavailable, Unauthorized
from kernel.http import add_response_headers
from skyfare.ratelimit import RateLimiter, describe_rate, rate_limit_headers

KEY_SCHEME = "sk_live_"
PREFIX_LENGTH = 12
HEADER = "X-API-Key"
# No registered HTTP scheme exists for API keys; this names the header, as API gateways do.
CHALLENGE = f'ApiKey header="{HEADER}"'
CACHE_TTL_S = 30.0  # a revoked key works at most this long in a process that saw it
# While PostgreSQL is down, a key this process checked is still served this long past its cache
# entry's expiry (stale-if-error): a search process must not need PostgreSQL (README, "Services
# deployed on their own"). A key revoked just before an outage works that long too, at most.
STALE_IF_ERROR_S = 3600.0
_CACHE_MAX = 10_000  # bounds memory when a client sprays random keys
_RANDOM_BYTES = 24  # → 32 url-safe characters


class Partner(msgspec.Struct, frozen=True):
    id: int
    name: str
    key_prefix: str
    rate_per_s: float
    burst: int
    revoked: bool = False


def generate_key() -> str:
    return KEY_SCHEME + secrets.token_urlsafe(_RANDOM_BYTES)


def hash_key(raw_key: str) -> bytes:
    return hashlib.sha256(raw_key.encode()).digest()


_COLUMNS = "id, name, key_prefix, rate_per_s, burst, revoked_at IS NOT NULL AS revoked"


def _partner(row: asyncpg.Record) -> Partner:
    return Partner(
        row["id"], row["name"], row["key_prefix"], row["rate_per_s"], row["burst"], row["revoked"]
    )


class PartnerKeys:
    """Partner key service over the `partners` table (skyfare/sql/0001_partners.sql).

    `authenticate` raises Unauthorized (missing, malformed, unknown or revoked key) or
    ServiceUnavailable (PostgreSQL did not answer within `timeout_s`, and this process has no
    answer for the key younger than `cache_ttl_s` + `stale_if_error_s`). Answers, including
    "unknown", are cached in-process for `cache_ttl_s`, so a busy partner costs PostgreSQL one
    query per process per TTL; while PostgreSQL is down an expired answer is used for up to
    `stale_if_error_s` more.
    """

    def __init__(
        self,
        pool: asyncpg.Pool | asyncpg.Connection,
        *,
        timeout_s: float = 1.0,
        cache_ttl_s: float = CACHE_TTL_S,
        stale_if_error_s: float = STALE_IF_ERROR_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pool = pool
        self._timeout_s = timeout_s
        self._ttl = cache_ttl_s
        self._stale_s = stale_if_error_s
        self._clock = clock
        self._cache: dict[bytes, tuple[float, Partner | None]] = {}

    async def create(self, name: str, *, rate_per_s: float, burst: int) -> tuple[Partner, str]:
        """A new partner and its raw key (returned once, stored only hashed); Conflict if a
        partner of that name has a live key (a revoked partner's name may be given again)."""
        raw_key = generate_key()
        try:
            row = await self._pool.fetchrow(
                "INSERT INTO partners (name, key_prefix, key_hash, rate_per_s, burst)"
                f" VALUES ($1, $2, $3, $4, $5) RETURNING {_COLUMNS}",
                name,
                raw_key[:PREFIX_LENGTH],
                hash_key(raw_key),
                rate_per_s,
                burst,
                timeout=self._timeout_s,
            )
        except asyncpg.UniqueViolationError as exc:
            raise Conflict(f"a partner named {name!r} exists already") from exc
        assert row is not None
        return _partner(row), raw_key

    async def list(self) -> list[Partner]:
        rows = await self._pool.fetch(
            f"SELECT {_COLUMNS} FROM partners ORDER BY name, id", timeout=self._timeout_s
        )
        return [_partner(row) for row in rows]

    async def revoke(self, name: str) -> bool:
        """True if a live key of `name` was revoked now; False if unknown or already revoked."""
        status = await self._pool.execute(
            "UPDATE partners SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL",
            name,
            timeout=self._timeout_s,
        )
        return bool(status == "UPDATE 1")

    async def authenticate(self, raw_key: str | None) -> Partner:
        # ASCII first: aiohttp passes header bytes that are not UTF-8 on as lone surrogates,
        # which hash_key's encode() would fail on (a 500); no key we issue is anything but ASCII.
        if not raw_key or not raw_key.isascii() or not raw_key.startswith(KEY_SCHEME):
            raise Unauthorized(f"a valid {HEADER} header is required", challenge=CHALLENGE)
        digest = hash_key(raw_key)
        now = self._clock()
        cached = self._cache.get(digest)
        if cached is not None and cached[0] > now:
            partner = cached[1]
        else:
            try:
                partner = await self._lookup(digest)
            except ServiceUnavailable:
                if cached is None or now - cached[0] > self._stale_s:
                    raise
                partner = cached[1]  # PostgreSQL is down: the answer it gave last
            else:
                if len(self._cache) >= _CACHE_MAX:
                    self._cache.clear()
                self._cache[digest] = (now + self._ttl, partner)
        if partner is None or partner.revoked:
            raise Unauthorized(f"unknown or revoked {HEADER}", challenge=CHALLENGE)
        return partner

    async def _lookup(self, digest: bytes) -> Partner | None:
        try:
            async with asyncio.timeout(self._timeout_s):
                row = await self._pool.fetchrow(
                    f"SELECT {_COLUMNS}, key_hash FROM partners WHERE key_hash = $1", digest
                )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            raise ServiceUnavailable("partner keys cannot be checked right now") from exc
        # The index found the row by hash; the constant-time compare is belt and braces.
        if row is None or not hmac.compare_digest(row["key_hash"], digest):
            return None
        return _partner(row)


class PartnerGate:
    """The check a partner route makes first: `partner = await gate(request)`.

    Reads `X-API-Key`, authenticates (401/503), rate-limits (429 with Retry-After) and owes the
    response (a 429 too) the decision's RateLimit-* headers (`kernel.http.add_response_headers`:
    only partner routes pay for them, not every response through a hook).
    """

    def __init__(self, keys: PartnerKeys, limiter: RateLimiter) -> None:
        self._keys = keys
        self._limiter = limiter

    async def __call__(self, request: web.Request) -> Partner:
        partner = await self._keys.authenticate(request.headers.get(HEADER))
        request[PARTNER_NAME] = partner.name
        decision = await self._limiter.decide(partner)
        add_response_headers(request, rate_limit_headers(decision))
        if not decision.allowed:
            raise RateLimited(
                f"rate limit of {describe_rate(partner.rate_per_s)} "
                f"(bursts of {partner.burst}) exceeded",
                retry_after_s=decision.retry_after_s,
            )
        return partner
