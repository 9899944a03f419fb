"""What runs inside each child process: an API worker, or the simulated outside world.

Each child runs its own uvloop event loop, stops cleanly on SIGINT (a terminal's Ctrl-C reaches the
whole process group) or SIGTERM (the supervisor), and asks Linux to SIGTERM it should the supervisor
die without stopping it, so no child outlives `skyfare up`.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
import signal
import sys
from collections.abc import Coroutine
from multiprocessing.connection import Connection
from typing import Any

import uvloop
from aiohttp import web

from kernel.tasks import stop_task
from skyfare import heap, priority
from skyfare.draining import Drain
from skyfare.logs import configure_logging
from skyfare.settings import Settings
from skyfare.tracing import start_tracing

logger = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
BACKLOG = 1024


def run_api_worker(
    settings: Settings, ready: Connection, service: str = "all", migrate: bool = False
) -> None:
    """Process entry point: serve `service`'s part of the API on settings.host:port
    (SO_REUSEPORT) until signalled, then drain (skyfare/protocol.py) and return. `migrate`:
    the start could not reach PostgreSQL, so this worker applies the migrations once it can."""
    _prepare_child(settings)
    start_tracing(settings, service)
    uvloop.run(_serve_api(settings, ready, service, migrate))


def run_relay(settings: Settings) -> None:
    """Process entry point: the outbox relay alone (`skyfare relay`), until SIGINT/SIGTERM."""
    _prepare_child(settings)
    start_tracing(settings, "relay")
    from skyfare.relay_runner import serve_relay

    drain = Drain("relay")
    uvloop.run(_until_signalled(serve_relay(settings), drain))
    drain.done()


def run_sim(settings: Settings) -> None:
    """Process entry point: serve the simulated airlines on settings.sim_host:sim_port."""
    _prepare_child(settings)
    uvloop.run(serve_sim_until_signalled(settings))


def run_notify_worker(settings: Settings) -> None:
    """Process entry point: the notification worker (notify/), until SIGINT/SIGTERM."""
    _prepare_child(settings)
    start_tracing(settings, "worker")
    from skyfare.notify_runner import serve_notify

    uvloop.run(serve_notify(settings))


def run_analytics(settings: Settings) -> None:
    """Process entry point: the analytics consumer (analytics/), until SIGINT/SIGTERM, niced
    below the API workers it shares cores with (skyfare/priority.py), before any thread starts."""
    _prepare_child(settings)
    priority.give_way()
    from skyfare.analytics_runner import serve_analytics

    uvloop.run(serve_analytics(settings))


def run_nginx(settings: Settings, command: list[str]) -> None:
    """Process entry point: nginx (in the foreground) under a relay that turns the supervisor's
    SIGTERM into nginx's graceful quit and logs nginx's drain (skyfare/nginx_relay.py)."""
    from skyfare.nginx_relay import relay_nginx

    _prepare_child(settings)
    sys.exit(relay_nginx(command, Drain("nginx")))


async def serve_sim_until_signalled(settings: Settings) -> None:
    from sim.helpdesk import HelpdeskConfig
    from sim.identity import IdentityConfig
    from sim.payments import PaymentsConfig, WebhookConfig
    from sim.server import serve_sim  # the sim is a dev/test tool: imported only where it runs

    # The sim gateway accepts our API key and signs with our webhook secret, so `skyfare up`
    # works with any SKYFARE_PAYMENT_GATEWAY_KEY / SKYFARE_WEBHOOK_SECRET.
    webhook = WebhookConfig(url=settings.sim_webhook_target, secrets=settings.webhook_secrets[:1])
    payments = PaymentsConfig(api_key=settings.payment_gateway_key, webhook=webhook)
    # Likewise the helpdesk: our key, our webhook secret, agents' actions sent to this API.
    helpdesk_hook = WebhookConfig(
        url=f"http://127.0.0.1:{settings.port}/v1/support/webhook",
        secrets=(settings.helpdesk_webhook_secret,),
    )
    helpdesk = HelpdeskConfig(api_key=settings.helpdesk_api_key, webhook=helpdesk_hook)
    # The web app's sign-in comes back to this API's own origin (`web/` is served by the API).
    identity = IdentityConfig(
        direct_grant=settings.sim_dev_tokens, web_redirect_uris=settings.sim_web_redirect_uris
    )
    drain = Drain("sim")
    await _until_signalled(
        serve_sim(
            settings.sim_host,
            settings.sim_port,
            seed=settings.sim_seed,
            profile_json=settings.sim_profile,
            payments=payments,
            identity=identity,
            smtp_port=settings.sim_smtp_listen_port,
            standards_dir=settings.standards_dir,
            helpdesk=helpdesk,
        ),
        drain,
    )
    drain.done()


async def _serve_api(settings: Settings, ready: Connection, service: str, migrate: bool) -> None:
    from skyfare.app import create_app
    from skyfare.protocol import app_runner

    runner = app_runner(create_app(settings, service), settings)
    await runner.setup()
    migrating = asyncio.create_task(_migrate_when_reachable(settings)) if migrate else None
    drain = Drain(f"api {service}")
    try:
        site = web.TCPSite(runner, settings.host, settings.port, reuse_port=True, backlog=BACKLOG)
        await site.start()
        heap.settle(settings.gc_young_threshold)  # start-up is over: see skyfare/heap.py
        ready.send(True)
        ready.close()
        await _until_signalled(asyncio.Event().wait(), drain)
    finally:
        if migrating is not None:
            await stop_task(migrating)
        await runner.cleanup()  # the drain: requests in flight answered (skyfare/protocol.py)
    drain.done()


async def _migrate_when_reachable(settings: Settings) -> None:
    from skyfare.migrations import MigrationError, migrate_when_reachable

    try:
        await migrate_when_reachable(settings)
    except MigrationError as exc:  # a changed applied migration: a deploy bug, as at start
        logger.error("migrations failed: %s", exc)


async def _until_signalled(work: Coroutine[Any, Any, Any], drain: Drain) -> None:
    """Run `work` until it ends or SIGINT/SIGTERM arrives, then cancel it (`drain` says so)."""
    task = asyncio.ensure_future(work)
    loop = asyncio.get_running_loop()
    drain.handle(loop, task.cancel)
    try:
        await task
    except asyncio.CancelledError:
        if not task.cancelled():
            raise
    finally:
        drain.unhandle(loop)


def _prepare_child(settings: Settings) -> None:
    # Until the event loop's handlers are in place, Ctrl-C must not print a KeyboardInterrupt trace.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    configure_logging(settings.log_level, settings.log_format)
    die_with_parent()


def die_with_parent() -> None:
    """SIGTERM to this process when its parent dies (Linux; kept across exec): a supervisor
    killed outright leaves no child behind."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
