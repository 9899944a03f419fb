"""`skyfare analytics` (the consumer, until signalled), `skyfare analytics replay --from ID` and
`skyfare report`: the analytics package wired to the settings."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import signal
import sys
from pathlib import Path

import redis.asyncio as redis

from analytics.consumer import AnalyticsConsumer, replay
from analytics.store import AnalyticsStore
from skyfare.notify_runner import redis_url
from skyfare.redis_client import redis_client
from skyfare.settings import Settings

logger = logging.getLogger(__name__)

# A blocking read waits this long for new entries; the socket outlasts it.
BLOCK_S = 1.0
REDIS_TIMEOUT_S = 2.0


def _client(settings: Settings) -> redis.Redis:
    return redis_client(
        settings,
        url=redis_url(settings),
        socket_timeout=BLOCK_S + REDIS_TIMEOUT_S,
        connect_timeout=REDIS_TIMEOUT_S,
    )


def _consumer(settings: Settings, client: redis.Redis, store: AnalyticsStore) -> AnalyticsConsumer:
    return AnalyticsConsumer(
        client,
        store,
        usage_stream=settings.usage_stream,
        event_stream=settings.event_stream,
        batch_size=settings.analytics_batch_size,
        block_ms=int(BLOCK_S * 1000),
        linger_s=settings.analytics_linger_ms / 1000,
        traveler_key=settings.usage_hash_secret.encode(),
    )


async def serve_analytics(settings: Settings) -> None:
    """Consume until SIGINT/SIGTERM; the batch in hand is committed or not at all."""
    store = AnalyticsStore(settings.analytics_path)
    client = _client(settings)
    consumer = _consumer(settings, client, store)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Not a cancellation: the read in hand ends within BLOCK_S, its batch commits or not.
        loop.add_signal_handler(sig, consumer.stop)
    logger.info(
        "analytics consuming %s and %s into %s",
        settings.usage_stream,
        settings.event_stream,
        settings.analytics_path,
    )
    try:
        await consumer.run()
    finally:
        await client.aclose()
        store.close()


async def replay_from(settings: Settings, from_id: str) -> int:
    store = AnalyticsStore(settings.analytics_path)
    client = _client(settings)
    try:
        consumer = _consumer(settings, client, store)
        streams = (settings.usage_stream, settings.event_stream)
        return await replay(consumer, store, streams, from_id)
    finally:
        await client.aclose()
        store.close()


def run_report(settings: Settings, since: dt.datetime, out: Path | None) -> int:
    from analytics.render import print_reports, write_plots  # matplotlib only where it is used

    store = AnalyticsStore(settings.analytics_path, read_only=True)
    try:
        reports = print_reports(store, since, sys.stdout)
        if out is not None:
            for path in write_plots(reports, out):
                print(f"wrote {path}")
    finally:
        store.close()
    return 0
