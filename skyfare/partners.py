"""Metasearch partners: API keys (issued, rotated, listed, revoked, authenticated) and the route
gate.

Keys are `sk_live_` + 32 url-safe characters (24 random bytes = 192 bits). Only their SHA-256 is
stored. A slow password hash (bcrypt, argon2) protects LOW-entropy secrets from guessing after a
database leak; a 192-bit random key cannot be guessed however fast the hash, and a fast hash lets
the check be one hash and one lookup by it per request (a salted slow hash would need the salt
first and cost ~50-100 ms of CPU per request). The raw key is shown once, at creation, and
never logged; `key_prefix` (the first 12 characters) names a key in listings.

Each process keeps every live key's hash in memory and answers from it, so a key, real or made
up, costs PostgreSQL no query of its own: a key missing from the set reloads it (one query,
single-flight, at most once a second), so a key created since the last load works within a
second, and a client spraying made-up keys costs PostgreSQL at most one query a second per
process, and cannot evict anything a real partner relies on. The set holds one small row per
live key (a few hundred kB at thousands of partners). Whole hashes rather than only the keys'
prefixes: a made-up key with a live key's prefix (prefixes are shown in listings) would still
cost a query, and the answers would still need a per-key cache beside the prefixes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import math
import secrets
import time
from collections.abc import Callable

import asyncpg
import msgspec
from aiohttp import web

from kernel.auth import PARTNER_NAME
from kernel.errors import Conflict, NotFound, RateLimited, ServiceUnavailable, Unauthorized
from kernel.http import add_response_headers
from skyfare.ratelimit import RateLimiter, describe_rate, rate_limit_headers

KEY_SCHEME = "sk_live_"
PREFIX_LENGTH = 12
HEADER = "X-API-Key"
# No registered HTTP scheme exists for API keys; this names the header, as API gateways do.
CHALLENGE = f'ApiKey header="{HEADER}"'
CACHE_TTL_S = 30.0  # the live keys are reloaded this often: a revoked key works this long at most
# While PostgreSQL is down, the keys live at the last load are still served this long past the
# set's expiry (stale-if-error): a search process must not need PostgreSQL (README, "Services
# deployed on their own"). A key revoked just before an outage works that long too, at most.
STALE_IF_ERROR_S = 3600.0
# A key missing from the set reloads it at most this often: how soon a new key works, and all a
# spray of made-up keys can cost PostgreSQL per process.
RELOAD_INTERVAL_S = 1.0
_RANDOM_BYTES = 24  # → 32 url-safe characters
MAX_BURST = 2**31 - 1  # the `burst` column is a PostgreSQL integer


def check_name(name: str) -> str:
    """`name` if it can name a partner, else ValueError: printable, so that one partner is one
    tab-separated line of `skyfare partners list`, and no blank or padded copy of another's."""
    if not name.strip():
        raise ValueError("a partner's name must not be blank")
    if name != name.strip() or not name.isprintable():
        raise ValueError(
            f"partner name {name!r}: no control characters, tabs, line breaks, or spaces around it"
        )
    return name


class Partner(msgspec.Struct, frozen=True):
    id: int
    name: str
    key_prefix: str
    rate_per_s: float
    burst: int
    revoked: bool = False
    # A key replaced by `rotate` works until then (its `revoked_at`, in the future until then).
    retires_at: dt.datetime | None = None


def generate_key() -> str:
    return KEY_SCHEME + secrets.token_urlsafe(_RANDOM_BYTES)


def hash_key(raw_key: str) -> bytes:
    return hashlib.sha256(raw_key.encode()).digest()


_UNAVAILABLE = "partner keys cannot be checked right now"
# A key is live until its `revoked_at`: none for the current key, now for a revoked one, the end
# of its overlap for one `rotate` replaced (the partial unique index on live names, 0002, holds
# only keys without one, so a name has one current key and any number retiring).
_LIVE = "(revoked_at IS NULL OR revoked_at > now())"
_COLUMNS = (
    f"id, name, key_prefix, rate_per_s, burst, NOT {_LIVE} AS revoked,"
    " CASE WHEN revoked_at > now() THEN revoked_at END AS retires_at"
)


def _partner(row: asyncpg.Record) -> Partner:
    return Partner(
        row["id"], row["name"], row["key_prefix"], row["rate_per_s"], row["burst"],
        row["revoked"], row["retires_at"],
    )  # fmt: skip


class PartnerKeys:
    """Partner key service over the `partners` table (skyfare/sql/0001_partners.sql).

    `authenticate` raises Unauthorized (missing, malformed, unknown or revoked key) or
    ServiceUnavailable (PostgreSQL did not answer within `timeout_s` and the key is not in a set
    loaded less than `cache_ttl_s` + `stale_if_error_s` ago, or might have been created since).
    It answers from the set of live keys this process loaded: reloaded when older than
    `cache_ttl_s` (so a busy process costs PostgreSQL one query per TTL, however many partners
    call) or when a key is missing from it (at most every `RELOAD_INTERVAL_S`); a reload that
    fails keeps the set it had, for up to `stale_if_error_s` past its expiry.
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
        self._live: dict[bytes, Partner] = {}  # key hash → partner, every live key
        self._fresh_until = -math.inf  # never loaded: nothing to serve while PostgreSQL is down
        self._reloaded_at = -math.inf  # when the last reload started, whatever its outcome
        self._reload_error: Exception | None = None  # why the last reload failed, if it did
        self._reloading = asyncio.Lock()

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

    async def rotate(self, name: str, *, overlap_s: float) -> tuple[Partner, str]:
        """A new key for `name`'s current one, with its limits; the replaced key works
        `overlap_s` more (the partner deploys the new one meanwhile). NotFound if `name` has no
        current key. One statement: the key replaced and the key made commit together."""
        raw_key = generate_key()
        row = await self._pool.fetchrow(
            "WITH replaced AS ("
            " UPDATE partners SET revoked_at = now() + make_interval(secs => $4)"
            " WHERE name = $1 AND revoked_at IS NULL RETURNING name, rate_per_s, burst)"
            " INSERT INTO partners (name, key_prefix, key_hash, rate_per_s, burst)"
            f" SELECT name, $2, $3, rate_per_s, burst FROM replaced RETURNING {_COLUMNS}",
            name,
            raw_key[:PREFIX_LENGTH],
            hash_key(raw_key),
            overlap_s,
            timeout=self._timeout_s,
        )
        if row is None:
            raise NotFound(f"no active partner named {name!r}")
        return _partner(row), raw_key

    async def revoke(self, name: str) -> bool:
        """True if a live key of `name` (the current one, and any `rotate` replaced that still
        works) was revoked now; False if unknown or already revoked."""
        status = await self._pool.execute(
            f"UPDATE partners SET revoked_at = now() WHERE name = $1 AND {_LIVE}",
            name,
            timeout=self._timeout_s,
        )
        return bool(status != "UPDATE 0")

    async def authenticate(self, raw_key: str | None) -> Partner:
        # ASCII first: aiohttp passes header bytes that are not UTF-8 on as lone surrogates,
        # which hash_key's encode() would fail on (a 500); no key we issue is anything but ASCII.
        if not raw_key or not raw_key.isascii() or not raw_key.startswith(KEY_SCHEME):
            raise Unauthorized(f"a valid {HEADER} header is required", challenge=CHALLENGE)
        digest = hash_key(raw_key)
        if digest not in self._live or self._clock() >= self._fresh_until:
            await self._reload_if_due()
        if self._clock() >= self._fresh_until + self._stale_s:
            # Never loaded, or PostgreSQL down for longer than stale-if-error allows.
            raise ServiceUnavailable(_UNAVAILABLE) from self._reload_error
        # A dict lookup by hash, as the index's was: its timing can only tell of SHA-256 digests,
        # and a digest guessed is no use (no key can be made to match it).
        partner = self._live.get(digest)
        if partner is not None:
            return partner
        if self._reload_error is not None:
            # It may be a key created since the set was loaded: not known to be wrong.
            raise ServiceUnavailable(_UNAVAILABLE) from self._reload_error
        raise Unauthorized(f"unknown or revoked {HEADER}", challenge=CHALLENGE)

    async def _reload_if_due(self) -> None:
        """Reload the live keys unless a reload started less than RELOAD_INTERVAL_S ago; a
        caller arriving while one runs waits for it rather than starting its own."""
        async with self._reloading:
            now = self._clock()
            if now - self._reloaded_at < RELOAD_INTERVAL_S:
                return
            self._reloaded_at = now
            try:
                async with asyncio.timeout(self._timeout_s):
                    rows = await self._pool.fetch(
                        f"SELECT {_COLUMNS}, key_hash FROM partners WHERE {_LIVE}"
                    )
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
                self._reload_error = exc  # the old set stays: real partners are not locked out
                return
            self._live = {bytes(row["key_hash"]): _partner(row) for row in rows}
            # From when the reload started: a key revoked meanwhile may be in it.
            self._fresh_until = now + self._ttl
            self._reload_error = None


class PartnerGate:
    """The check a partner route makes first: `partner = await gate(request)`.

    Reads the one `X-API-Key` (two are a 401), authenticates (401/503), rate-limits (429 with
    Retry-After) and owes the response (a 429 too) the decision's RateLimit-* headers
    (`kernel.http.add_response_headers`: only partner routes pay for them, not every response
    through a hook).
    """

    def __init__(self, keys: PartnerKeys, limiter: RateLimiter) -> None:
        self._keys = keys
        self._limiter = limiter

    async def __call__(self, request: web.Request) -> Partner:
        keys = request.headers.getall(HEADER, [])
        if len(keys) > 1:
            # A proxy adding its own key may keep the client's: which one calls (and is
            # charged) is not ours to pick, as with two Authorization headers.
            raise Unauthorized(f"more than one {HEADER} header", challenge=CHALLENGE)
        partner = await self._keys.authenticate(keys[0] if keys else None)
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
