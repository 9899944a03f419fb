"""`skyfare relay`: the outbox relay (booking/relay.py) in a process of its own.

In `skyfare up` (the `all` service) every API process relays; a deployment of separate services
runs the relay as its own deployment instead, since `search` has no outbox and `booking` does
not relay. Any number may run: one publishes at a time (a transaction-scoped advisory lock).
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg
import redis.asyncio as redis

from booking.relay import OutboxRelay
from kernel.tasks import stop_task
from skyfare.settings import Settings

logger = logging.getLogger(__name__)

REDIS_TIMEOUT_S = 1.0
# One batch holds one connection; a second lets a slow batch's successor start.
DB_CONNECTIONS = 2


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
    )
    client = redis.Redis.from_url(
        settings.redis_url,
        socket_timeout=REDIS_TIMEOUT_S,
        socket_connect_timeout=REDIS_TIMEOUT_S,
    )
    relay = OutboxRelay(
        pool,
        client,
        settings.event_stream,
        maxlen=settings.event_stream_maxlen,
        interval_s=settings.event_relay_interval_s,
        db_timeout_s=settings.db_timeout_s,
        redis_timeout_s=REDIS_TIMEOUT_S,
    )
    task = asyncio.create_task(relay.run(), name="outbox-relay")
    logger.info("outbox relay publishing to %s", settings.event_stream)
    try:
        await asyncio.shield(task)
    finally:
        await stop_task(task)
        await client.aclose()
        await pool.close()
