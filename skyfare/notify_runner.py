"""`skyfare worker`: the notification worker (notify/) wired from settings, in its own process.

Its metrics are served by the worker itself on `notify_metrics_listen_port` (`SKYFARE_PORT` + 1
by default; 0: none): the counters live in this process, and the group's lag is read from Redis
at scrape time. A port in use is logged and the worker runs on without metrics, rather than
taking `skyfare up` down with it.

The worker sends only on the channels each order's owner chose (`UserService.notification_channels`
over its own small PostgreSQL pool). Without a DATABASE_URL it cannot read them and says so at
start: every channel is used, as before users had preferences.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from aiohttp import web

from kernel.logs import Outage
from notify.config import GROUP, WorkerConfig
from notify.dedup import RedisDedup
from notify.handlers import ChannelPreferences, Notifier
from notify.mail import SmtpMailer
from notify.metrics import refresh_gauges
from notify.retry import Backoff
from notify.sms import HttpSmsSender
from notify.stream import EventStream
from notify.worker import NotifyWorker
from skyfare.draining import Drain
from skyfare.embedded import EmbeddedRedis
from skyfare.metrics_port import serve_metrics
from skyfare.postgres import connect_options
from skyfare.redis_client import redis_client
from skyfare.settings import Settings
from skyfare.user_ports import ChannelsOfUsers
from users.wiring import user_service

logger = logging.getLogger(__name__)

REDIS_TIMEOUT_S = 1.0
REDIS_CONNECTIONS = 32
BLOCK_S = 1.0
# A batch looks up its events' owners concurrently; past this many a lookup waits its turn.
PG_CONNECTIONS = 8


def worker_config(settings: Settings) -> WorkerConfig:
    return WorkerConfig(
        batch_size=settings.notify_batch_size,
        max_attempts=settings.notify_max_attempts,
        claim_min_idle_s=settings.notify_claim_min_idle_s,
        backoff=Backoff(settings.notify_backoff_base_s, settings.notify_backoff_max_s),
        block_s=BLOCK_S,
    )


def redis_url(settings: Settings) -> str:
    """REDIS_URL, else the embedded Redis that `skyfare serve`/`up` runs under the data dir."""
    return settings.redis_url or EmbeddedRedis(Path(settings.data_dir) / "redis").url


async def serve_notify(settings: Settings) -> None:
    """Run the worker until SIGINT/SIGTERM, then finish the batch in hand and return."""
    consumer = settings.notify_consumer or f"{socket.gethostname()}-{os.getpid()}"
    # A blocking pool: a batch handles its events concurrently, two Redis commands each at
    # once, and redis-py's default pool fails ("Too many connections") past 100 instead of
    # waiting. No socket timeout: every call in notify/ is bounded by its own asyncio.timeout
    # (a pipeline by one for all its commands), while redis-py's socket timeout armed a timer
    # for each reply it read, each command of a pipeline included (~a fifth of the worker's
    # Redis CPU). A call cut off by its bound drops its connection, as on a socket timeout.
    client = redis_client(
        settings,
        url=redis_url(settings),
        max_connections=REDIS_CONNECTIONS,
        pool_timeout=REDIS_TIMEOUT_S,
        socket_timeout=None,
        connect_timeout=REDIS_TIMEOUT_S,
    )
    stream = EventStream(
        client, settings.event_stream, group=GROUP, consumer=consumer, timeout_s=REDIS_TIMEOUT_S
    )
    host, port = settings.smtp_address
    mailer = SmtpMailer(
        host,
        port,
        mail_from=settings.notify_mail_from,
        timeout_s=settings.notify_send_timeout_s,
        connections=settings.notify_smtp_connections,
    )
    sms = HttpSmsSender(
        settings.sms_base_url,
        settings.notify_sms_api_key,
        timeout_s=settings.notify_send_timeout_s,
    )
    # A fresh owner per run: a claim left by an earlier run under the same consumer name is
    # that run's, and waits for its lease like any other.
    dedup = RedisDedup(
        client,
        owner=f"{consumer}:{secrets.token_hex(4)}",
        lease_s=settings.notify_lease_s,
        timeout_s=REDIS_TIMEOUT_S,
    )
    metrics = await _serve_metrics(settings, stream)
    drain = Drain("notify-worker")
    try:
        async with sms, channel_preferences(settings) as preferences:
            notifier = Notifier(
                mailer, sms, dedup, preferences=preferences, web_url=settings.public_web_url
            )
            worker = NotifyWorker(stream, notifier, worker_config(settings))
            logger.info("notify worker %s consuming %s", consumer, settings.event_stream)
            await _run_until_signalled(worker, drain)
    finally:
        await mailer.close()
        if metrics is not None:
            await metrics.cleanup()
        await client.aclose()
    drain.done()


async def _run_until_signalled(worker: NotifyWorker, drain: Drain) -> None:
    loop = asyncio.get_running_loop()
    drain.handle(loop, worker.stop)
    try:
        await worker.run()
    finally:
        drain.unhandle(loop)


@asynccontextmanager
async def channel_preferences(settings: Settings) -> AsyncIterator[ChannelPreferences | None]:
    """The owners' notification channels from the user service, or None (every channel) when
    no DATABASE_URL is set. The pool connects on first use, so a database that is down at start
    only fails (and retries) the events that need it."""
    if settings.database_url is None:
        logger.warning(
            "notify worker: DATABASE_URL is unset, so users' notification channels cannot be "
            "read: every notification goes out on every channel"
        )
        yield None
        return
    pool = await asyncpg.create_pool(
        settings.database_url,
        min_size=0,
        max_size=PG_CONNECTIONS,
        command_timeout=settings.db_timeout_s,
        timeout=settings.db_timeout_s,
        **connect_options(settings),
    )
    try:
        users = user_service(
            pool,
            db_timeout_s=settings.db_timeout_s,
            document_key=settings.users_document_key,
            max_travelers=settings.users_max_travelers,
        )
        yield ChannelsOfUsers(users)
    finally:
        await pool.close()


async def _serve_metrics(settings: Settings, stream: EventStream) -> web.AppRunner | None:
    port = settings.notify_metrics_listen_port
    refresh = gauge_refresher(stream)
    return await serve_metrics(settings.host, port, "notify worker", before_scrape=refresh)


def gauge_refresher(stream: EventStream) -> Callable[[], Awaitable[None]]:
    """What runs before each scrape: the group's gauges read from Redis. Redis failing is
    logged when it starts and when it ends, not at every scrape: the deployments probe this
    port for liveness and readiness (deploy/k8s), so a line per scrape was several a minute
    per worker through an outage the worker's own loop already reports."""
    outage = Outage(
        logger,
        "notify metrics: group state unavailable",
        "notify metrics: group state available again",
        up_level=logging.WARNING,
    )

    async def refresh() -> None:
        try:
            await refresh_gauges(stream)
        except Exception as exc:  # Redis down: the counters are still worth serving
            outage.failed(exc)
            return
        outage.passed()

    return refresh


def notifications_line(settings: Settings) -> str:
    """The `skyfare up` line that says where the sent mails and SMS can be read."""
    sim = settings.sim_url
    return (
        f"Notifications (dev): mails at {sim}/_sim/smtp/messages, "
        f"SMS at {sim}/_sim/sms/messages — try: curl -s {sim}/_sim/smtp/messages"
    )
