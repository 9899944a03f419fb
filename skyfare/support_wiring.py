"""The support desk's wiring (support/): the helpdesk client, the case service with the
anonymous per-address rate limit, the helpdesk's webhook receiver and the order-event sync."""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
from collections.abc import AsyncIterator

import msgspec
from aiohttp import web

from booking import routes as order_routes
from booking.amendments import Amendments
from booking.idempotency import PgIdempotencyStore
from booking.pg import Database
from kernel.tasks import stop_task
from skyfare.keys import PG_POOL, REDIS, SETTINGS
from skyfare.ratelimit import RateLimiter
from skyfare.redis_client import redis_client
from support import routes as support_routes
from support.helpdesk import HttpHelpdesk
from support.repository import PgSupportRepository
from support.service import SupportService
from support.sync import OrderSync
from support.webhook import SupportWebhook

KEY_PREFIX = "skyfare:ratelimit:support:"
HELPDESK_TIMEOUT_S = 5.0
# The sync's blocking read; its own connection waits a little longer (as the eviction follower).
SYNC_BLOCK_S = 1.0


class _Address(msgspec.Struct, frozen=True):
    id: str
    rate_per_s: float
    burst: int


class AddressLimit:
    """Anonymous case openings per client address (a digest of it keys the limit)."""

    def __init__(self, limiter: RateLimiter, *, rate_per_s: float, burst: int) -> None:
        self._limiter = limiter
        self._rate_per_s = rate_per_s
        self._burst = burst

    async def spend(self, address: str) -> None:
        await self._limiter.check(self._limited(address))

    async def refund(self, address: str) -> None:
        await self._limiter.refund(self._limited(address))

    def _limited(self, address: str) -> _Address:
        digest = hashlib.sha256(address.encode()).hexdigest()[:32]
        return _Address(digest, self._rate_per_s, self._burst)


async def running_support(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    db = Database(app[PG_POOL], timeout_s=settings.db_timeout_s)
    repository = PgSupportRepository(db)
    orders = app[order_routes.ORDER_SERVICE]
    helpdesk = HttpHelpdesk(
        settings.helpdesk_base_url, settings.helpdesk_api_key, timeout_s=HELPDESK_TIMEOUT_S
    )
    limiter = RateLimiter(
        app[REDIS], timeout_s=settings.rate_limit_timeout_ms / 1000, prefix=KEY_PREFIX
    )
    limit = AddressLimit(
        limiter,
        rate_per_s=settings.support_anonymous_rate_per_s,
        burst=settings.support_anonymous_burst,
    )
    keys = PgIdempotencyStore(db, lease_s=settings.idempotency_lease_s)
    app[support_routes.SUPPORT_SERVICE] = SupportService(
        repository, orders, helpdesk, keys=keys, address_limit=limit
    )
    amendments = Amendments(db, max_name_changes=settings.support_name_change_max)
    secrets = [settings.helpdesk_webhook_secret]
    app[support_routes.SUPPORT_WEBHOOK] = SupportWebhook(repository, orders, amendments, secrets)
    # A client of its own: a blocking XREADGROUP would hold one of the shared pool's
    # connections, and outlast its socket timeout. Made as every other (a Redis Cluster's
    # client for a cluster's URL, the CA of SKYFARE_REDIS_TLS_CA_FILE over TLS).
    stream_client = redis_client(settings, socket_timeout=SYNC_BLOCK_S + 1.0, connect_timeout=1.0)
    consumer = f"{socket.gethostname()}-{os.getpid()}"
    sync = OrderSync(
        stream_client, settings.event_stream, helpdesk, repository,
        consumer=consumer, block_ms=int(SYNC_BLOCK_S * 1000),
    )  # fmt: skip
    task = asyncio.create_task(sync.run(), name="support-sync")
    yield
    await stop_task(task)
    await stream_client.aclose()
    await helpdesk.close()
