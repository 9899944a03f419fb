"""The composition root: `create_app(settings)` wires every resource, route and the plumbing.

Each resource has its own cleanup context, so a failure while starting one closes those already
started, in reverse order. Neither PostgreSQL nor Redis being down stops the app from starting:
the pool is created with `min_size=0` (it connects on first use) and the Redis client connects
lazily, so searches are served and `/readyz` reports what is down until it comes back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Protocol

import asyncpg
from aiohttp import web

from analytics import routes as analytics_routes
from analytics.service import ReportService
from booking import routes as order_routes
from booking import seat_routes as order_seat_routes
from booking import trip_routes
from booking.cancellation_store import PgCancellations
from booking.cancellations import CancellationService
from booking.limits import OrderLimits
from booking.personal_data import PgPersonalData
from booking.pg import Database
from booking.recovery import running_recovery
from booking.relay import OutboxRelay
from booking.seats import OrderSeatDesk
from booking.wiring import running_order_service
from cache import evictions
from cache.flight_lock import RedisFlightLock
from cache.memory import InMemoryFareCache
from cache.policy import TtlPolicy
from cache.read_through import ReadThroughCache
from cache.redis import RedisFareCache
from cache.tags import RedisTagIndex
from cache.tiered import TieredFareCache
from connectors.ndc import schemas as ndc_schemas
from connectors.registry import build_connectors
from kernel.auth import AUTHENTICATE, PARTNER_CHECK
from kernel.openapi import Operation
from kernel.tasks import stop_task
from payment import routes as payment_routes
from payment.repository import PgPaymentRepository
from payment.wiring import running_payments
from search import bulk_routes
from search import routes as search_routes
from search.fare_index_redis import RedisFareIndex
from search.service import SearchService
from search.stale_fares import StaleFares
from search.usage import SearchUsage
from seats import routes as seat_routes
from seats.service import SeatMapService
from skyfare import openapi, ops, privacy, webapp
from skyfare.auth import JwksAuthenticator, JwksKeySet
from skyfare.guard import route_security
from skyfare.keys import (
    CONNECTORS,
    FARE_CACHE,
    OPENAPI_DOCUMENT,
    PARTNER_GATE,
    PG_POOL,
    READY_CHECKS,
    REDIS,
    ROUTE_SECURITY,
    SETTINGS,
    USAGE,
)
from skyfare.ops import ReadyCheck
from skyfare.partners import PartnerGate, PartnerKeys
from skyfare.plumbing import install_plumbing
from skyfare.postgres import connect_options
from skyfare.ratelimit import RateLimiter
from skyfare.redis_client import redis_client, warm_up
from skyfare.services import ALL, BOOKING, SEARCH, SERVICES
from skyfare.settings import Settings
from skyfare.support_wiring import running_support
from skyfare.travelers import KEY_PREFIX as TRAVELER_KEY_PREFIX
from skyfare.travelers import TravelerGate
from skyfare.usage import UsagePriceChecks, usage_events, watch_breakers
from skyfare.user_ports import SavedTravelersOfUsers
from support import routes as support_routes
from users import routes as user_routes
from users.crypto import DocumentCipher
from users.errors import DocumentKeyError
from users.wiring import user_service

logger = logging.getLogger(__name__)

# How long Redis may take to connect or answer one command before the caller sees an error.
REDIS_TIMEOUT_S = 1.0
# How long the eviction follower's XREAD blocks; its own connection waits a little longer.
EVICTIONS_BLOCK_S = 2.0


def create_app(settings: Settings, service: str = ALL) -> web.Application:
    """The app of one deployable `service` (SERVICES: `search`, `booking`, or `all` of them)."""
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}: one of {', '.join(SERVICES)}")
    _check_document_key(settings)  # before anything opens: a bad key is a deploy bug
    app = web.Application(client_max_size=settings.max_body_bytes)
    install_plumbing(app)  # request ids, problem documents, metrics: per route, at start-up
    app[SETTINGS] = settings
    # In dependency order (each may use what those before it set); closed in reverse.
    app.cleanup_ctx.extend(ctx for ctx, services in _CONTEXTS if _runs(service, services))
    groups = _route_groups(settings)
    served = [group for group, services in groups if _runs(service, services)]
    for group in served:
        group.add_routes(app.router)
    app[READY_CHECKS] = tuple(c for c, services in _READY_CHECKS if _runs(service, services))
    # The document is the whole API, as the gateway serves it, whichever part this service is.
    everything = tuple(op for group, _ in groups for op in group.OPERATIONS)
    app[OPENAPI_DOCUMENT] = openapi.encode_document(everything, version=_version())
    # What each operation declares is what the plumbing enforces, before the view (guard.py).
    app[ROUTE_SECURITY] = route_security(op for group in served for op in group.OPERATIONS)
    return app


def _runs(service: str, services: frozenset[str]) -> bool:
    return service == ALL or service in services


async def _reports(app: web.Application) -> AsyncIterator[None]:
    """The analytics reports (`/v1/reports`), read from the consumer's DuckDB file."""
    app[analytics_routes.REPORT_SERVICE] = ReportService(app[SETTINGS].analytics_path)
    yield


async def _postgres(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    if settings.database_url is None:
        raise RuntimeError("database_url is unset: start the embedded PostgreSQL first")
    # min_size=0: creating the pool opens no connection, so a database that is down at startup
    # does not keep the API (and its searches) from serving.
    pool = await asyncpg.create_pool(
        settings.database_url,
        min_size=0,
        max_size=settings.db_pool_max,
        command_timeout=settings.db_timeout_s,
        timeout=settings.db_timeout_s,  # connect timeout
        **connect_options(settings),
    )
    app[PG_POOL] = pool
    yield
    await pool.close()


async def _redis(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    if settings.redis_url is None:
        raise RuntimeError("redis_url is unset: start the embedded Redis first")
    # A blocking pool (skyfare/redis_client.py); a RedisCluster under SKYFARE_REDIS_CLUSTER.
    client = redis_client(
        settings,
        max_connections=settings.redis_pool_max,
        pool_timeout=REDIS_TIMEOUT_S,
        socket_timeout=REDIS_TIMEOUT_S,
        connect_timeout=REDIS_TIMEOUT_S,
    )
    await warm_up(client)
    app[REDIS] = client
    yield
    await client.aclose()


async def _outbox_relay(app: web.Application) -> AsyncIterator[None]:
    """Every API process relays the outbox to the event stream (one at a time: booking/relay.py)."""
    settings = app[SETTINGS]
    relay = OutboxRelay(
        app[PG_POOL],
        app[REDIS],
        settings.event_stream,
        maxlen=settings.event_stream_maxlen,
        replicas=settings.event_stream_replicas,
        interval_s=settings.event_relay_interval_s,
        db_timeout_s=settings.db_timeout_s,
        redis_timeout_s=REDIS_TIMEOUT_S,
    )
    task = asyncio.create_task(relay.run(), name="outbox-relay")
    yield
    await stop_task(task)


async def _orders(app: web.Application) -> AsyncIterator[None]:
    """Orders (booking/): repository, idempotency keys and service over the pool and connectors."""
    settings = app[SETTINGS]
    connectors = app[CONNECTORS]
    async with running_order_service(
        app[PG_POOL],
        connectors,
        db_timeout_s=settings.db_timeout_s,
        lease_s=settings.idempotency_lease_s,
        price_timeout_s=settings.search_deadline_ms / 1000,
        limits=_order_limits(settings),
        hold_window_s=settings.hold_window_s,
    ) as service:
        app[order_routes.ORDER_SERVICE] = service
        db = Database(app[PG_POOL], timeout_s=settings.db_timeout_s)
        app[trip_routes.CANCELLATIONS] = CancellationService(service, PgCancellations(db))
        # A passenger may be one of the caller's saved travelers (users/): the order copies it.
        service.use_saved_travelers(SavedTravelersOfUsers(app[user_routes.USER_SERVICE]))
        # Order creation re-prices too: a changed price or no seats corrects the fare cache.
        stale = app[search_routes.SEARCH_SERVICE].stale_fares
        service.use_price_checks(UsagePriceChecks(stale, app[USAGE]))
        yield


def _order_limits(settings: Settings) -> OrderLimits | None:
    """The traveler caps; None when every one is 0 (off): no per-owner lock on order creates."""
    limits = OrderLimits(
        max_open_holds=settings.order_max_open_holds,
        max_held_seats=settings.order_max_held_seats,
        max_held_seats_per_flight=settings.order_max_held_seats_per_flight,
    )
    return limits if limits.any else None


async def _recovery(app: web.Application) -> AsyncIterator[None]:
    """Nothing lost: the reconciler settles stale `pending` orders with their airline, the hold
    sweeper expires unpaid holds past their deadline (booking/recovery.py)."""
    settings = app[SETTINGS]
    connectors = app[CONNECTORS]
    async with running_recovery(
        app[PG_POOL],
        connectors,
        db_timeout_s=settings.db_timeout_s,
        reconcile_after_s=settings.reconcile_after_s,
        reconcile_interval_s=settings.reconcile_interval_s,
        hold_sweep_interval_s=settings.hold_sweep_interval_s,
        hold_window_s=settings.hold_window_s,
    ):
        yield


async def _payments(app: web.Application) -> AsyncIterator[None]:
    """Payments (payment/): the gateway client, webhooks, refunds; enabled in the order service."""
    settings = app[SETTINGS]
    if not settings.webhook_secrets:
        raise RuntimeError("SKYFARE_WEBHOOK_SECRET is empty: payment webhooks cannot be verified")
    connectors = app[CONNECTORS]
    async with running_payments(
        Database(app[PG_POOL], timeout_s=settings.db_timeout_s),
        app[order_routes.ORDER_SERVICE],
        connectors,
        gateway_url=settings.payment_gateway_base_url,
        gateway_key=settings.payment_gateway_key,
        webhook_secrets=settings.webhook_secrets,
    ) as payments:
        app[payment_routes.PAYMENT_SERVICE] = payments.service
        app[payment_routes.WEBHOOK_RECEIVER] = payments.receiver
        yield


def _check_document_key(settings: Settings) -> None:
    """RuntimeError naming SKYFARE_USERS_DOCUMENT_KEY (never the key) when it is malformed."""
    try:
        DocumentCipher.from_setting(settings.users_document_key)
    except DocumentKeyError as exc:
        raise RuntimeError(str(exc)) from None


async def _users(app: web.Application) -> AsyncIterator[None]:
    """Profiles and saved travelers (users/), their document numbers sealed under the key(s)
    of SKYFARE_USERS_DOCUMENT_KEY (checked by `create_app`)."""
    settings = app[SETTINGS]
    app[user_routes.USER_SERVICE] = user_service(
        app[PG_POOL],
        db_timeout_s=settings.db_timeout_s,
        document_key=settings.users_document_key,
        max_travelers=settings.users_max_travelers,
    )
    yield


async def _privacy(app: web.Application) -> AsyncIterator[None]:
    """The caller's data export and erasure, across users, booking and payment (privacy.py)."""
    db = Database(app[PG_POOL], timeout_s=app[SETTINGS].db_timeout_s)
    app[privacy.PRIVACY] = privacy.Privacy(
        app[user_routes.USER_SERVICE], PgPersonalData(db), PgPaymentRepository(db)
    )
    yield


async def _authenticator(app: web.Application) -> AsyncIterator[None]:
    """Traveler Bearer tokens, checked against the issuer's JWKS (fetched on first use), and
    each traveler's rate limit (skyfare/travelers.py)."""
    settings = app[SETTINGS]
    keys = JwksKeySet(settings.trusted_jwks_url)
    authenticator = JwksAuthenticator(
        keys, issuer=settings.trusted_issuer, audience=settings.jwt_audience
    )
    limiter = RateLimiter(
        app[REDIS], timeout_s=settings.rate_limit_timeout_ms / 1000, prefix=TRAVELER_KEY_PREFIX
    )
    app[AUTHENTICATE] = TravelerGate(
        authenticator,
        limiter,
        rate_per_s=settings.traveler_rate_per_s,
        burst=settings.traveler_burst,
    )
    yield
    await authenticator.close()


async def _partner_gate(app: web.Application) -> AsyncIterator[None]:
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


async def _fare_cache(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    assert settings.redis_url is not None  # checked by _redis
    store = TieredFareCache(
        InMemoryFareCache(settings.cache_l1_entries),
        RedisFareCache(app[REDIS]),
        evictions=evictions.RedisEvictionFeed(app[REDIS]),
    )
    # One search per missed key across all workers: the lock outlives a normal search and
    # expires soon after a hung one; a waiting worker keeps half its deadline for its own search.
    deadline_s = settings.search_deadline_ms / 1000
    lock = RedisFlightLock(app[REDIS], ttl_s=deadline_s)
    fares = app[FARE_CACHE] = ReadThroughCache(store, lock=lock, lock_wait_s=deadline_s / 2)
    # Other processes' evictions, on a connection of its own (a blocking read holds it).
    follower_client = redis_client(
        settings,
        socket_timeout=EVICTIONS_BLOCK_S + REDIS_TIMEOUT_S,
        connect_timeout=REDIS_TIMEOUT_S,
    )
    follower = asyncio.create_task(
        evictions.follow(follower_client, store.l1, block_ms=int(EVICTIONS_BLOCK_S * 1000)),
        name="fare-evictions",
    )
    yield
    await stop_task(follower)
    await follower_client.aclose()
    await fares.close()


def _ttl_policy(settings: Settings) -> TtlPolicy:
    return TtlPolicy(
        near_days=settings.cache_near_days,
        near_ttl_s=settings.cache_near_ttl_s,
        mid_days=settings.cache_mid_days,
        mid_ttl_s=settings.cache_mid_ttl_s,
        far_ttl_s=settings.cache_far_ttl_s,
        stale_factor=settings.cache_stale_factor,
        empty_ttl_s=settings.cache_empty_ttl_s,
    )


async def _connectors(app: web.Application) -> AsyncIterator[None]:
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
        index = RedisFareIndex(app[REDIS], timeout_s=cache_timeout_s)
        stale = StaleFares(
            fares.store,
            RedisTagIndex(app[REDIS]),
            index,
            timeout_s=REDIS_TIMEOUT_S,
            tag_timeout_s=cache_timeout_s,
        )
        service = app[search_routes.SEARCH_SERVICE] = SearchService(
            connectors,
            default_deadline_ms=settings.search_deadline_ms,
            fares=fares,
            ttl=_ttl_policy(settings),
            cache_timeout_s=cache_timeout_s,
            cache_scope=" ".join(c.base_url for c in settings.connectors),
            index=index,
            stale=stale,
            usage=SearchUsage(app[USAGE]),
        )
        watch_breakers(connectors, app[USAGE])
        yield
        # Stops connector calls that ignored cancellation at their search's deadline.
        await service.close()
    finally:
        for connector in reversed(started):
            try:
                await connector.close()
            except Exception:
                logger.exception("closing connector %s failed", connector.name)


async def _seat_maps(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    service = app[seat_routes.SEAT_MAP_SERVICE] = SeatMapService(
        {c.name: c for c in app[CONNECTORS]},
        ttl_s=settings.seat_map_ttl_s,
        deadline_s=settings.search_deadline_ms / 1000,
    )
    yield
    await service.close()


async def _order_seats(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    app[order_seat_routes.SEAT_DESK] = OrderSeatDesk(
        Database(app[PG_POOL], timeout_s=settings.db_timeout_s),
        app[order_routes.ORDER_SERVICE],
        {c.name: c for c in app[CONNECTORS]},
        timeout_s=settings.search_deadline_ms / 1000,
    )
    yield


class RouteGroup(Protocol):
    """A package's routes: `add_routes(router)` and their `OPERATIONS` (for /openapi.json)."""

    OPERATIONS: tuple[Operation, ...]

    def add_routes(self, router: web.UrlDispatcher) -> None: ...


CleanupContext = Callable[[web.Application], AsyncIterator[None]]

# The deployable services (DESIGN.md "Deployable services"; `skyfare serve --service NAME`):
# `search` is the hot path, scaled on its own, and needs Redis but not PostgreSQL (partner keys
# are read from PostgreSQL and cached: skyfare/partners.py); `booking` takes orders, payments
# and their webhooks. `all` (what `skyfare up` runs) is every row of the tables below. The outbox
# relay runs in `all`, and in a deployment of separate services as `skyfare relay`.
_BOTH = frozenset({SEARCH, BOOKING})
_ONLY_ALL: frozenset[str] = frozenset()

# Cleanup contexts, in dependency order, and the services that run each.
_CONTEXTS: tuple[tuple[CleanupContext, frozenset[str]], ...] = (
    (_postgres, _BOTH),
    (_redis, _BOTH),
    # Searches (search) and re-prices (booking) both publish usage events.
    (usage_events, _BOTH),
    (_partner_gate, frozenset({SEARCH})),
    (_authenticator, frozenset({BOOKING})),
    # Booking re-prices offers with the airlines and evicts the cached answers a price change
    # makes wrong, so it has the connectors and the fare cache too.
    (_fare_cache, _BOTH),
    (_connectors, _BOTH),
    (_seat_maps, frozenset({SEARCH})),
    (_outbox_relay, _ONLY_ALL),
    (_users, frozenset({BOOKING})),
    (_orders, frozenset({BOOKING})),
    (_order_seats, frozenset({BOOKING})),
    (_recovery, frozenset({BOOKING})),
    (_payments, frozenset({BOOKING})),
    (running_support, frozenset({BOOKING})),
    (_privacy, frozenset({BOOKING})),
    (_reports, frozenset({BOOKING})),
)


# Route groups and the services that serve them (the gateway routes by these paths:
# deploy/nginx/; everything not a search path, the web app at `/` included, goes to booking).
def _route_groups(settings: Settings) -> tuple[tuple[RouteGroup, frozenset[str]], ...]:
    return (
        (ops, _BOTH),
        (search_routes, frozenset({SEARCH})),
        (bulk_routes, frozenset({SEARCH})),
        (seat_routes, frozenset({SEARCH})),
        (order_routes, frozenset({BOOKING})),
        (trip_routes, frozenset({BOOKING})),
        (order_seat_routes, frozenset({BOOKING})),
        (payment_routes, frozenset({BOOKING})),
        (user_routes, frozenset({BOOKING})),
        (support_routes, frozenset({BOOKING})),
        (privacy, frozenset({BOOKING})),
        (analytics_routes, frozenset({BOOKING})),
        (_WebApp(settings), frozenset({BOOKING})),
    )


class _WebApp:
    """The web app's routes (skyfare/webapp.py) as a route group: they are built from settings."""

    OPERATIONS = webapp.OPERATIONS

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def add_routes(self, router: web.UrlDispatcher) -> None:
        webapp.add_routes(
            router,
            self._settings.web_dist_dir,
            issuer=self._settings.trusted_issuer,
            client_id=self._settings.web_client_id,
        )


# What `/readyz` checks (skyfare/ops.py): only what the service cannot answer without. Booking
# works without Redis (its rate limits fail open, cache evictions are skipped).
_READY_CHECKS: tuple[tuple[ReadyCheck, frozenset[str]], ...] = (
    ("database", frozenset({BOOKING})),
    ("cache", frozenset({SEARCH})),
)


def _version() -> str:
    try:
        return version("skyfare")
    except PackageNotFoundError:
        return "0.0.0"
