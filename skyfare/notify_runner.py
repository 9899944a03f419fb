"""`skyfare worker`: the notification worker (notify/) wired from settings, in its own process.

Its metrics are served by the worker itself on `notify_metrics_listen_port` (`SKYFARE_PORT` + 1
by default; 0: none): the counters live in this process, and the group's lag is read from Redis
at scrape time. A port in use is logged and the worker runs on without metrics, rather than
taking `skyfare up` down with it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import signal
import socket
from pathlib import Path

import redis.asyncio as redis
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from notify.config import GROUP, WorkerConfig
from notify.dedup import RedisDedup
from notify.handlers import Notifier
from notify.mail import SmtpMailer
from notify.metrics import refresh_gauges
from notify.retry import Backoff
from notify.sms import HttpSmsSender
from notify.stream import EventStream
from notify.worker import NotifyWorker
from skyfare.embedded import EmbeddedRedis
from skyfare.settings import Settings

logger = logging.getLogger(__name__)

REDIS_TIMEOUT_S = 1.0
REDIS_CONNECTIONS = 32
BLOCK_S = 1.0


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
    # waiting. The socket timeout outlasts a blocking read; every command has its own bound.
    pool = redis.BlockingConnectionPool.from_url(
        redis_url(settings),
        max_connections=REDIS_CONNECTIONS,
        timeout=REDIS_TIMEOUT_S,
        socket_timeout=BLOCK_S + 2 * REDIS_TIMEOUT_S,
        socket_connect_timeout=REDIS_TIMEOUT_S,
    )
    client = redis.Redis.from_pool(pool)
    stream = EventStream(
        client, settings.event_stream, group=GROUP, consumer=consumer, timeout_s=REDIS_TIMEOUT_S
    )
    host, port = settings.smtp_address
    mailer = SmtpMailer(
        host, port, mail_from=settings.notify_mail_from, timeout_s=settings.notify_send_timeout_s
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
    worker = NotifyWorker(stream, Notifier(mailer, sms, dedup), worker_config(settings))
    metrics = await _serve_metrics(settings, stream)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, worker.stop)
    logger.info("notify worker %s consuming %s", consumer, settings.event_stream)
    try:
        async with sms:
            await worker.run()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await mailer.close()
        if metrics is not None:
            await metrics.cleanup()
        await client.aclose()


async def _serve_metrics(settings: Settings, stream: EventStream) -> web.AppRunner | None:
    port = settings.notify_metrics_listen_port
    if port == 0:
        return None

    async def metrics(request: web.Request) -> web.Response:
        try:
            await refresh_gauges(stream)
        except Exception as exc:  # Redis down: the counters are still worth serving
            logger.warning("notify metrics: group state unavailable: %r", exc)
        response = web.Response(body=generate_latest(REGISTRY))
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.host, port).start()
    except OSError as exc:
        logger.error("notify worker: cannot serve /metrics on port %d: %s", port, exc)
        await runner.cleanup()
        return None
    return runner


def notifications_line(settings: Settings) -> str:
    """The `skyfare up` line that says where the sent mails and SMS can be read."""
    sim = settings.sim_url
    return (
        f"Notifications (dev): mails at {sim}/_sim/smtp/messages, "
        f"SMS at {sim}/_sim/sms/messages — try: curl -s {sim}/_sim/smtp/messages"
    )
