"""`skyfare up` and `skyfare serve`: embedded stores where no URL is set, the sim if asked, the
API workers (or the gateway's layout) under one supervisor until signalled, and the lines that
tell a developer where it all answers."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys

import uvloop

from skyfare import devlogin, devtoken
from skyfare.dev_secrets import DevSecretInProduction, check_dev_secrets
from skyfare.devkey import dev_partner_key
from skyfare.embedded import embedded_services
from skyfare.gateway import GatewayError, GatewayLayout
from skyfare.gateway_up import (
    gateway_base_url,
    gateway_curl,
    gateway_layout,
    gateway_ready_line,
    start_gateway,
)
from skyfare.migrations import MigrationError, run_migrations_once
from skyfare.notify_runner import notifications_line
from skyfare.services import ALL, BOOKING, SEARCH
from skyfare.settings import Settings
from skyfare.supervisor import Shutdown, StartupFailed, Supervisor, raise_on_signals
from skyfare.workers import run_analytics, run_api_worker, run_notify_worker, run_sim

logger = logging.getLogger("skyfare")

# What a worker gets past its drain (`shutdown_timeout_s`) to close its pools before SIGKILL.
STOP_MARGIN_S = 10.0


def run(settings: Settings, *, with_sim: bool, service: str = ALL, gateway: bool = False) -> int:
    """Embedded services where no URL is set, the sim if asked, N API workers of `service`;
    until signalled, then each worker drains (up to `shutdown_timeout_s`) and all exit 0."""
    try:
        check_dev_secrets(settings)  # each worker's create_app would too: say it once, first
        if gateway:
            gateway_layout(settings)  # a layout it cannot make, said before anything starts
    except (DevSecretInProduction, GatewayError) as exc:
        logger.error("startup failed: %s", exc)
        return 1
    raise_on_signals()
    # Past the drain, closing the pools and connectors gets a few seconds more.
    supervisor = Supervisor(stop_timeout_s=settings.shutdown_timeout_s + STOP_MARGIN_S)
    clean = True
    try:
        with embedded_services(settings) as settings:
            # Once, in the parent, before any worker: workers never race to migrate. `search`
            # owns no table and must start while PostgreSQL is down. Unreachable now, one
            # worker applies them once PostgreSQL answers (a database that comes up later).
            pending = service != SEARCH and uvloop.run(run_migrations_once(settings)) is None
            dev_key = uvloop.run(dev_partner_key(settings)) if with_sim else None
            try:
                if gateway:
                    layout = _start_behind_gateway(supervisor, settings, pending)
                    print(gateway_ready_line(settings, layout), flush=True)
                else:
                    _start(
                        supervisor, settings, with_sim=with_sim, service=service, migrate=pending
                    )
                    print(ready_line(settings, with_sim=with_sim, service=service), flush=True)
                if dev_key is not None:
                    _print_dev_lines(settings, dev_key, gateway=gateway)
                child = supervisor.wait_for_a_child_to_exit()
                logger.error("%s exited with code %s: stopping", child.name, child.exitcode)
                return 1
            finally:
                clean = supervisor.stop_all()
    except Shutdown:
        return 0 if clean else 1
    except (StartupFailed, MigrationError) as exc:
        logger.error("startup failed: %s", exc)
        return 1


def _start(
    supervisor: Supervisor, settings: Settings, *, with_sim: bool, service: str, migrate: bool
) -> None:
    if with_sim:
        supervisor.spawn("sim", run_sim, settings)
        # Before the workers: each learns its airlines' route networks as it starts, and an
        # airline not yet listening would leave that connector asking for every route.
        supervisor.wait_ready([], [(settings.sim_host, settings.sim_port)])
    pipes = []
    for index in range(worker_count(settings)):
        parent_end, child_end = supervisor.ready_pipe()
        supervisor.spawn(
            f"api-worker-{index}",
            run_api_worker,
            settings,
            child_end,
            service,
            migrate and not index,
        )
        child_end.close()  # the child holds its own copy now
        pipes.append(parent_end)
    supervisor.wait_ready(pipes, [])
    if with_sim:
        # One notification worker sends what the API workers' outbox relays publish.
        supervisor.spawn("notify-worker", run_notify_worker, settings)
        # One analytics consumer loads usage and order events (one writer per DuckDB file).
        supervisor.spawn("analytics", run_analytics, settings, restart=True)


def _start_behind_gateway(
    supervisor: Supervisor, settings: Settings, migrate: bool
) -> GatewayLayout:
    supervisor.spawn("sim", run_sim, settings)
    supervisor.wait_ready([], [(settings.sim_host, settings.sim_port)])
    return start_gateway(supervisor, settings, migrate=migrate)


def worker_count(settings: Settings) -> int:
    return settings.workers if settings.workers > 0 else (os.cpu_count() or 1)


def _base_url(settings: Settings) -> str:
    host = settings.host if settings.host not in ("", "0.0.0.0", "::") else "127.0.0.1"
    return f"http://{'[' + host + ']' if ':' in host else host}:{settings.port}"


def ready_line(settings: Settings, *, with_sim: bool, service: str = ALL) -> str:
    base = _base_url(settings)
    what = "Skyfare ready" if with_sim else "Skyfare API ready"
    if service != ALL:
        what = f"Skyfare {service} service ready"
    date = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()
    example = f"{base}/v1/search?origin=LHR&destination=JFK&departure_date={date}"
    if service == BOOKING:  # it serves no search (a 404 there): what it needs, answering
        example = f"{base}/readyz"
    # With the sim, the web app is the thing to open: the line leads with the one URL.
    opening = " — open it in a browser, or try:" if with_sim else " — try:"
    return (
        f"{what} on {base} ({_plural(worker_count(settings), 'worker')}){opening} "
        f'curl -s "{example}"'
    )


def _print_dev_lines(settings: Settings, dev_key: str, *, gateway: bool) -> None:
    base = gateway_base_url(settings) if gateway else _base_url(settings)
    command = devtoken.issuer_env(settings) + devtoken.invoked_as(sys.argv[0], os.getcwd())
    lines = [
        dev_key_line(settings, dev_key, base=base),
        devtoken.token_hint_line(base, command),
        devlogin.login_hint_line(base, command),
    ]
    if gateway:  # its examples trust the development certificate made at start
        lines = [line.replace("curl -s ", f"{gateway_curl(settings)} ") for line in lines]
    for line in [*lines, notifications_line(settings)]:
        print(line, flush=True)


def dev_key_line(settings: Settings, key: str, *, base: str | None = None) -> str:
    month = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).strftime("%Y-%m")
    api = base or _base_url(settings)
    example = f"{api}/v1/fares/calendar?origin=LHR&destination=JFK&month={month}"
    return f"Partner API key (dev): {key} — try: curl -s -H 'X-API-Key: {key}' \"{example}\""


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
