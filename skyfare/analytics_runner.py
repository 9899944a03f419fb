"""`skyfare analytics` (the consumer, until signalled), `skyfare analytics replay --from ID` and
`skyfare report`: the analytics package wired to the settings.

`skyfare analytics` also serves the report routes, `/healthz`, `/readyz` and `/metrics` on
`analytics_listen_port` (`SKYFARE_PORT` + 3 by default; 0: none): the `analytics` app of
skyfare/app.py, with the same plumbing and bearer tokens as the other services. Its store is a
file on this process's own volume, so a deployment's gateway sends `/v1/reports/` here
(deploy/README.md); the reads share the consumer's open database (analytics/store.py). A port
in use is logged, and the consumer runs on without it (its probes then fail where deployed).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sys
from pathlib import Path

import msgspec
import redis.asyncio as redis
from aiohttp import web
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from analytics.consumer import AnalyticsConsumer, replay
from analytics.store import AnalyticsStore, StoreBusy, StoreMissing, StoreUnreadable
from kernel.logs import Outage
from skyfare.draining import Drain
from skyfare.notify_runner import redis_url
from skyfare.redis_client import redis_client
from skyfare.services import ANALYTICS
from skyfare.settings import Settings

logger = logging.getLogger(__name__)

# A blocking read waits this long for new entries; the socket outlasts it.
BLOCK_S = 1.0
REDIS_TIMEOUT_S = 2.0
# Redis unreachable: asked again after 1 s, then twice as long each time, up to 30 s.
FIRST_RETRY_S = 1.0
MAX_RETRY_S = 30.0
_REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


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
    """Consume until SIGINT/SIGTERM; the batch in hand is committed or not at all. The reports
    are served meanwhile (once the store exists: it is made first)."""
    store = AnalyticsStore(settings.analytics_path)
    client = _client(settings)
    try:
        reports = await serve_reports(settings)
    except BaseException:  # a refused start (a development secret beside a real endpoint)
        await client.aclose()
        store.close()
        raise
    consumer = _consumer(settings, client, store)
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()

    def stop() -> None:
        consumer.stop()
        stopped.set()

    # Not a cancellation: the read in hand ends within BLOCK_S, its batch commits or not.
    drain = Drain("analytics")
    drain.handle(loop, stop)
    logger.info(
        "analytics consuming %s and %s into %s",
        settings.usage_stream,
        settings.event_stream,
        settings.analytics_path,
    )
    try:
        await consume_through_outages(consumer, client, stopped)
    finally:
        if reports is not None:
            await reports.cleanup()  # the reports in flight finish (shutdown_timeout_s)
        await client.aclose()
        consumer.close()
        store.close()
    drain.done()


async def serve_reports(settings: Settings) -> web.AppRunner | None:
    """The `analytics` app on `analytics_listen_port` until the runner is cleaned up; None
    where that port is 0 or in use (logged)."""
    from skyfare.app import create_app  # the whole API's imports: only where it is served
    from skyfare.protocol import app_runner

    port = settings.analytics_listen_port
    if port == 0:
        return None
    served = msgspec.structs.replace(settings, port=port)
    runner = app_runner(create_app(served, ANALYTICS), served)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.host, port).start()
    except OSError as exc:
        logger.error("analytics: cannot serve the reports on port %d: %s", port, exc)
        await runner.cleanup()
        return None
    logger.info("analytics serving the reports on port %d", port)
    return runner


async def consume_through_outages(
    consumer: AnalyticsConsumer,
    client: redis.Redis,
    stopped: asyncio.Event,
    *,
    first_retry_s: float = FIRST_RETRY_S,
    max_retry_s: float = MAX_RETRY_S,
) -> None:
    """`consumer.run()` until `stopped`, Redis being unreachable (at the start or midway)
    waited out: asked again at growing intervals, logged as it starts and as it ends. Before,
    the consumer exited with a traceback, and a restart waited on the supervisor or on
    Kubernetes' back-off (up to 5 minutes) after Redis was back. A Redis that came back empty
    (no group: `NOGROUP`) is started again at once: `start` puts the group at the store's
    positions."""
    retry_s = first_retry_s
    outage = Outage(
        logger,
        "analytics: Redis unreachable, loading paused until it answers",
        "analytics: Redis answers again, loading resumed",
    )
    while not stopped.is_set():
        try:
            if outage.ongoing:
                await client.ping()
                outage.passed()
                retry_s = first_retry_s
            await consumer.run()
            return
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            logger.warning("analytics: the consumer group is gone (Redis restarted?): made again")
            continue
        except _REDIS_DOWN as exc:
            outage.failed(exc)
        try:
            await asyncio.wait_for(stopped.wait(), retry_s)
        except TimeoutError:
            retry_s = min(retry_s * 2, max_retry_s)


async def replay_from(settings: Settings, from_id: str) -> int:
    store = AnalyticsStore(settings.analytics_path)
    client = _client(settings)
    consumer = _consumer(settings, client, store)
    try:
        streams = (settings.usage_stream, settings.event_stream)
        return await replay(consumer, store, streams, from_id)
    finally:
        await client.aclose()
        consumer.close()
        store.close()


def run_report(settings: Settings, since: dt.datetime, out: Path | None) -> int:
    from analytics.render import print_reports, write_plots  # matplotlib only where it is used

    try:
        store = AnalyticsStore(settings.analytics_path, read_only=True)
    except StoreMissing:
        print(
            f"no analytics store in {settings.analytics_path}: `skyfare analytics` makes it "
            "there as it starts (SKYFARE_ANALYTICS_DIR names the directory)",
            file=sys.stderr,
        )
        return 1
    try:
        reports = print_reports(store, since, dt.datetime.now(dt.UTC), sys.stdout)
    except StoreBusy:
        # The consumer holds the file past the wait (a long export); it ended in a traceback.
        print(
            f"the analytics store is busy: another process ({store.path}: `skyfare analytics` "
            f"loading it) held it for {store.lock_wait_s:g} s; run the report again",
            file=sys.stderr,
        )
        return 1
    except StoreUnreadable as exc:
        print(f"cannot read the analytics store: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    if out is not None:
        try:
            written = write_plots(reports, out)
        except OSError as exc:  # `--out` a file, or a folder it may not write in: a traceback
            print(f"cannot write the plots into {out}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        for path in written:
            print(f"wrote {path}")
    return 0
