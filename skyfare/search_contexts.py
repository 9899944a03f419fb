"""The search service's resources, as cleanup contexts: Redis, the fare cache, connectors, seat
maps and the gates in front of them. `skyfare/app.py` decides which service runs each (booking
uses several of them too: it re-prices with the connectors and evicts from the fare cache).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from cache import evictions
from cache import metrics as cache_metrics
from cache.evict_settle import RedisEvictAndSettle
from cache.flight_lock import RedisFlightLock
from cache.memory import InMemoryFareCache
from cache.policy import TtlPolicy
from cache.read_through import ReadThroughCache
from cache.redis import RedisFareCache
from cache.tags import RedisTagIndex
from cache.tiered import TieredFareCache
from connectors.ndc import schemas as ndc_schemas
from connectors.registry import build_connectors
from kernel.auth import AUTHENTICATE, IDENTIFY, PARTNER_CHECK
from kernel.tasks import stop_task
from search import routes as search_routes
from search.answer_writes import AnswerWrites
from search.fare_index_breaker import ReadBreaker, read_policy
from search.fare_index_redis import RedisFareIndex
from search.service import SearchService
from search.stale_fares import StaleFares
from search.usage import SearchUsage
from seats import routes as seat_routes
from seats.service import SeatMapService
from skyfare.auth import JwksAuthenticator, JwksKeySet
from skyfare.auth.cutoffs import SessionCutoffs
from skyfare.keys import (
    CACHE_CHECK,
    CONNECTORS,
    FARE_CACHE,
    PARTNER_GATE,
    PG_POOL,
    REDIS,
    SESSION_CUTOFFS,
    SETTINGS,
    USAGE,
)
from skyfare.ops import ready_timeout_s
from skyfare.partners import PartnerGate, PartnerKeys
from skyfare.ratelimit import RateLimiter
from skyfare.redis_client import is_cluster, redis_client, warm_up
from skyfare.settings import Settings
from skyfare.travelers import KEY_PREFIX as TRAVELER_KEY_PREFIX
from skyfare.travelers import TravelerGate
from skyfare.usage import watch_breakers

logger = logging.getLogger(__name__)

# How long a stream follower's XREAD blocks (fare evictions, session cutoffs); its own
# connection waits a little longer.
FOLLOW_BLOCK_S = 2.0


async def redis(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    if settings.redis_url is None:
        raise RuntimeError("redis_url is unset: start the embedded Redis first")
    # A blocking pool (skyfare/redis_client.py); a RedisCluster under SKYFARE_REDIS_CLUSTER.
    bound_s = client_timeout_s(settings)
    client = redis_client(
        settings,
        max_connections=settings.redis_pool_max,
        pool_timeout=bound_s,
        socket_timeout=bound_s,
        connect_timeout=bound_s,
    )
    await warm_up(client)
    app[REDIS] = client
    # /readyz asks on a connection of its own: behind traffic holding every pooled connection
    # the check waited in their line, timed out and called Redis down (as with PostgreSQL:
    # skyfare/database_check.py). A cluster's pools per node make no command wait: it asks
    # through the client.
    # Its bounds are readiness's own (SKYFARE_READY_TIMEOUT_MS): with the traffic's, a hung
    # Redis held the check past a probe's timeout.
    check = client
    if not is_cluster(settings):
        check = redis_client(
            settings,
            max_connections=1,
            pool_timeout=ready_timeout_s(settings),
            socket_timeout=ready_timeout_s(settings),
            connect_timeout=ready_timeout_s(settings),
        )
    app[CACHE_CHECK] = check
    yield
    if check is not client:
        await check.aclose()
    await client.aclose()


def redis_timeout_s(settings: Settings) -> float:
    """How long Redis may take to connect or answer a call that has no bound of its own
    (`SKYFARE_REDIS_TIMEOUT_MS`) before the caller sees an error."""
    return settings.redis_timeout_ms / 1000


def client_timeout_s(settings: Settings) -> float:
    """The shared client's bound on a connect, a wait for a pooled connection and a reply: a
    backstop under each caller's own `asyncio.timeout`, so never shorter than the longest of
    those (the rate limits' and the fare cache's, from the settings). Shorter, it cut them: a
    limiter given 5 s failed open on a reply late by 1 s (tests/e2e/booking/test_slow_redis.py)."""
    callers_ms = max(settings.rate_limit_timeout_ms, settings.cache_redis_timeout_ms)
    return max(settings.redis_timeout_ms, callers_ms) / 1000


async def authenticator(app: web.Application) -> AsyncIterator[None]:
    """Traveler Bearer tokens, checked against the issuer's JWKS (fetched on first use), and
    each traveler's rate limit (skyfare/travelers.py)."""
    settings = app[SETTINGS]
    keys = JwksKeySet(settings.trusted_jwks_url, timeout_s=settings.jwks_timeout_ms / 1000)
    # A request's look-up waits on Redis no longer than its rate-limit call does.
    cutoffs = app[SESSION_CUTOFFS] = SessionCutoffs(
        app[REDIS],
        timeout_s=redis_timeout_s(settings),
        read_timeout_s=settings.rate_limit_timeout_ms / 1000,
        ttl_s=settings.session_cutoff_cache_s,
    )
    authenticator = JwksAuthenticator(
        keys, issuer=settings.trusted_issuer, audience=settings.jwt_audience, cutoffs=cutoffs
    )
    limiter = RateLimiter(
        app[REDIS], timeout_s=settings.rate_limit_timeout_ms / 1000, prefix=TRAVELER_KEY_PREFIX
    )
    # Public searches only ask who calls (usage events): verified, never rate-limited.
    app[IDENTIFY] = authenticator
    app[AUTHENTICATE] = TravelerGate(
        authenticator,
        limiter,
        rate_per_s=settings.traveler_rate_per_s,
        burst=settings.traveler_burst,
    )
    # Cutoffs other processes set, on a connection of its own (a blocking read holds it).
    follower_client = redis_client(
        settings,
        socket_timeout=FOLLOW_BLOCK_S + redis_timeout_s(settings),
        connect_timeout=redis_timeout_s(settings),
    )
    follower = asyncio.create_task(
        cutoffs.follow(follower_client, block_ms=int(FOLLOW_BLOCK_S * 1000)),
        name="session-cutoffs",
    )
    yield
    await stop_task(follower)
    await follower_client.aclose()
    await authenticator.close()


async def partner_gate(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    keys = PartnerKeys(
        app[PG_POOL],
        timeout_s=settings.db_timeout_s,
        cache_ttl_s=settings.partner_key_cache_ttl_s,
    )
    limiter = RateLimiter(app[REDIS], timeout_s=settings.rate_limit_timeout_ms / 1000)
    app[PARTNER_GATE] = PartnerGate(keys, limiter)
    app[PARTNER_CHECK] = app[PARTNER_GATE]
    yield


async def fare_cache(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    assert settings.redis_url is not None  # checked by redis
    store = TieredFareCache(
        InMemoryFareCache(settings.cache_l1_entries, max_bytes=settings.cache_l1_bytes),
        RedisFareCache(app[REDIS]),
        evictions=evictions.RedisEvictionFeed(app[REDIS]),
    )
    cache_metrics.watch_l1(store.l1)
    # One search per missed key across all workers: the lock outlives a normal search and
    # expires soon after a hung one; a waiting worker keeps half its deadline for its own search.
    deadline_s = settings.search_deadline_ms / 1000
    lock = RedisFlightLock(app[REDIS], ttl_s=deadline_s)
    fares = app[FARE_CACHE] = ReadThroughCache(store, lock=lock, lock_wait_s=deadline_s / 2)
    # Other processes' evictions, on a connection of its own (a blocking read holds it).
    follower_client = redis_client(
        settings,
        socket_timeout=FOLLOW_BLOCK_S + redis_timeout_s(settings),
        connect_timeout=redis_timeout_s(settings),
    )
    follower = asyncio.create_task(
        evictions.follow(follower_client, store.l1, block_ms=int(FOLLOW_BLOCK_S * 1000)),
        name="fare-evictions",
    )
    yield
    await stop_task(follower)
    await follower_client.aclose()
    await fares.close()


def ttl_policy(settings: Settings) -> TtlPolicy:
    return TtlPolicy(
        near_days=settings.cache_near_days,
        near_ttl_s=settings.cache_near_ttl_s,
        mid_days=settings.cache_mid_days,
        mid_ttl_s=settings.cache_mid_ttl_s,
        far_ttl_s=settings.cache_far_ttl_s,
        stale_factor=settings.cache_stale_factor,
        empty_ttl_s=settings.cache_empty_ttl_s,
    )


async def connectors(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    connectors = build_connectors(
        settings.connectors,
        ndc_schema_folder=(
            ndc_schemas.schema_dir(settings.standards_dir)
            if settings.ndc_validate_responses
            else None
        ),
    )
    # Concurrently: each start learns a route network under its own timeout, and one airline
    # slow to answer at boot must not hold the others (and the whole start-up) behind it.
    results = await asyncio.gather(*(c.start() for c in connectors), return_exceptions=True)
    started = [c for c, result in zip(connectors, results, strict=True) if result is None]
    try:
        for result in results:
            if isinstance(result, BaseException):
                raise result
        app[CONNECTORS] = connectors
        cache_timeout_s = settings.cache_redis_timeout_ms / 1000
        fares = app[FARE_CACHE]
        breaker = ReadBreaker(
            policy=read_policy(
                failures=settings.fare_index_breaker_failures,
                open_s=settings.fare_index_breaker_open_s,
            )
        )
        index = RedisFareIndex(app[REDIS], timeout_s=cache_timeout_s, breaker=breaker)
        tags = RedisTagIndex(app[REDIS])
        stale = StaleFares(
            fares.store,
            tags,
            index,
            timeout_s=redis_timeout_s(settings),
            tag_timeout_s=cache_timeout_s,
            # One script for a batch's DELs, feed entry and settle: one slot only, not a cluster.
            evict_settle=None if is_cluster(settings) else RedisEvictAndSettle(app[REDIS]),
        )
        # One round trip for an answer's writes, where they keep their order: not on a cluster.
        writes = None
        if not is_cluster(settings):
            writes = AnswerWrites(
                app[REDIS],
                fares.store,
                RedisFareCache(app[REDIS]),
                tags,
                index,
                timeout_s=cache_timeout_s,
            )
        service = app[search_routes.SEARCH_SERVICE] = SearchService(
            connectors,
            default_deadline_ms=settings.search_deadline_ms,
            fares=fares,
            ttl=ttl_policy(settings),
            cache_timeout_s=cache_timeout_s,
            cache_scope=" ".join(c.base_url for c in settings.connectors),
            index=index,
            stale=stale,
            usage=SearchUsage(app[USAGE], traveler_key=settings.usage_hash_secret.encode()),
            writes=writes,
        )
        watch_breakers(connectors, app[USAGE])
        # Evicts what holds sold after they answered, and what a crashed process left owed.
        evicting = asyncio.create_task(stale.run(), name="sold-fare-evictions")
        yield
        await stop_task(evicting)
        await stale.finish_owed()
        # Stops connector calls that ignored cancellation at their search's deadline.
        await service.close()
    finally:
        for connector in reversed(started):
            try:
                await connector.close()
            except Exception:
                logger.exception("closing connector %s failed", connector.name)


async def seat_maps(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    service = app[seat_routes.SEAT_MAP_SERVICE] = SeatMapService(
        {c.name: c for c in app[CONNECTORS]},
        ttl_s=settings.seat_map_ttl_s,
        deadline_s=settings.search_deadline_ms / 1000,
    )
    yield
    await service.close()
