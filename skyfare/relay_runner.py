"""`skyfare relay`: the outbox relay (booking/relay.py) in a process of its own.

In `skyfare up` (the `all` service) every API process relays; a deployment of separate services
runs the relay as its own deployment instead, since `search` has no outbox and `booking` does
not relay. Any number may run: one publishes at a time (a transaction-scoped advisory lock).
Its counters live in this process, so it serves its own `/metrics` (`relay_metrics_listen_port`:
`SKYFARE_PORT` + 2 by default; 0: none): `skyfare_outbox_lag_seconds`,
`skyfare_events_published_total`, `skyfare_outbox_relay_failures_total`.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg
import redis.asyncio as redis

from booking.relay import OutboxRelay
from kernel.tasks import stop_task
from skyfare.metrics_port import serve_metrics
from skyfare.postgres import connect_options
from skyfare.redis_client import redis_client
from skyfare.settings import Settings

logger = logging.getLogger(__name__)

REDIS_TIMEOUT_S = 1.0
# One batch holds one connection; a second lets a slow batch's successor start.
DB_CONNECTIONS = 2


def outbox_relay_for(
    settings: Settings, pool: asyncpg.Pool, client: redis.Redis, *, redis_timeout_s: float
) -> OutboxRelay:
    """The relay of `pool`'s outbox to the settings' event stream: `skyfare relay`'s, and every
    API process's (skyfare/booking_contexts.py)."""
    return OutboxRelay(
        pool,
        client,
        settings.event_stream,
        maxlen=settings.event_stream_maxlen,
        replicas=settings.event_stream_replicas,
        interval_s=settings.event_relay_interval_s,
        idle_interval_s=settings.event_relay_idle_interval_s,
        db_timeout_s=settings.db_timeout_s,
        redis_timeout_s=redis_timeout_s,
    )


async def serve_relay(settings: Settings) -> None:
    """Relay until cancelled (SIGTERM), then close the pools. The batch in hand is one
    transaction: cancelled, it rolls back and the next relay publishes it (nothing is lost)."""
    if settings.database_url is None or settings.redis_url is None:
        raise RuntimeError("DATABASE_URL and REDIS_URL are needed: the relay runs beside a serve")
    pool = await asyncpg.create_pool(
        settings.database_url,
        min_size=0,
        max_size=DB_CONNECTIONS,
        command_timeout=settings.db_timeout_s,
        timeout=settings.db_timeout_s,
        **connect_options(settings),
    )
    client = redis_client(settings, socket_timeout=REDIS_TIMEOUT_S, connect_timeout=REDIS_TIMEOUT_S)
    relay = outbox_relay_for(settings, pool, client, redis_timeout_s=REDIS_TIMEOUT_S)
    task = asyncio.create_task(relay.run(), name="outbox-relay")
    # A port in use is logged, and the relay runs on without /metrics.
    metrics = await serve_metrics(settings.host, settings.relay_metrics_listen_port, "outbox relay")
    logger.info("outbox relay publishing to %s", settings.event_stream)
    try:
        await asyncio.shield(task)
    finally:
        await stop_task(task)
        if metrics is not None:
            await metrics.cleanup()
        await client.aclose()
        await pool.close()
