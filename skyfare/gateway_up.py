"""`skyfare up --gateway` (`make run-gateway`): the deployment of deploy/ on one machine.

nginx (deploy/nginx) on `SKYFARE_GATEWAY_PORT` (HTTPS, a development certificate made at start)
and `SKYFARE_PORT` (plain HTTP: a redirect, and the payment gateway's webhooks), in front of two
`search` processes and one `booking` process on the ports after `SKYFARE_PORT` (+10, +11: search;
+12: booking; +13: the booking address a rolling restart starts the replacement on), with the
outbox relay, the notification worker and the analytics consumer beside them; the reports go to
the analytics consumer's own port (`SKYFARE_ANALYTICS_PORT`, `SKYFARE_PORT` + 3), as deployed.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from skyfare.gateway import GatewayError, GatewayLayout, nginx_command, write_config
from skyfare.services import BOOKING, SEARCH
from skyfare.settings import Settings
from skyfare.supervisor import Supervisor
from skyfare.workers import (
    run_analytics,
    run_api_worker,
    run_nginx,
    run_notify_worker,
    run_relay,
)

SEARCH_OFFSETS = (10, 11)
BOOKING_OFFSET = 12
BOOKING_SPARE_OFFSET = 13


LOCAL_GATEWAY = "127.0.0.1/32, ::1/128"


def gateway_layout(settings: Settings) -> GatewayLayout:
    return GatewayLayout(
        https_port=settings.gateway_port,
        http_port=settings.port,
        search_ports=tuple(settings.port + offset for offset in SEARCH_OFFSETS),
        booking_port=settings.port + BOOKING_OFFSET,
        booking_spare_port=settings.port + BOOKING_SPARE_OFFSET,
        analytics_port=_analytics_port(settings),
        host=settings.host,
        max_body_bytes=settings.max_body_bytes,
    )


def _analytics_port(settings: Settings) -> int:
    port = settings.analytics_listen_port
    if port == 0:  # the gateway sends the reports there: nothing else serves them
        raise GatewayError("SKYFARE_ANALYTICS_PORT=0: the gateway's reports need that port")
    return port


def start_gateway(
    supervisor: Supervisor, settings: Settings, *, migrate: bool = False
) -> GatewayLayout:
    """Every process of the deployment, nginx last (once the services serve); `migrate`: the
    booking process applies the migrations once PostgreSQL answers (the start could not)."""
    layout = gateway_layout(settings)
    pipes = []
    services = [(f"search-{n}", SEARCH, port) for n, port in enumerate(layout.search_ports)]
    services.append(("booking", BOOKING, layout.booking_port))
    for name, service, port in services:
        parent_end, child_end = supervisor.ready_pipe()
        # nginx reaches them over loopback: its X-Forwarded-For names the client (per-address
        # limits key on the client, not on nginx).
        proxies = settings.trusted_proxies or LOCAL_GATEWAY
        configured = msgspec.structs.replace(
            settings, port=port, workers=1, trusted_proxies=proxies
        )
        supervisor.spawn(
            name, run_api_worker, configured, child_end, service, migrate and service == BOOKING
        )
        child_end.close()
        pipes.append(parent_end)
    supervisor.wait_ready(pipes, [])
    supervisor.spawn("relay", run_relay, settings)
    supervisor.spawn("notify-worker", run_notify_worker, settings)
    supervisor.spawn("analytics", run_analytics, settings, restart=True)
    config = write_config(layout, Path(settings.data_dir) / "gateway")
    supervisor.spawn("nginx", run_nginx, settings, nginx_command(config, stderr_notice=True))
    supervisor.wait_ready([], [(_connect_host(settings.host), layout.https_port)])
    return layout


def _connect_host(host: str) -> str:
    return "127.0.0.1" if host in ("", "0.0.0.0") else host


def gateway_base_url(settings: Settings) -> str:
    return f"https://{_connect_host(settings.host)}:{settings.gateway_port}"


def gateway_curl(settings: Settings) -> str:
    """curl trusting the development certificate `skyfare up --gateway` made."""
    return f"curl -s --cacert {Path(settings.data_dir) / 'gateway' / 'gateway.crt'}"


def gateway_ready_line(settings: Settings, layout: GatewayLayout) -> str:
    base = gateway_base_url(settings)
    return (
        f"Skyfare ready behind the gateway on {base} ({len(layout.search_ports)} search, "
        f"1 booking) — try: {gateway_curl(settings)} {base}/v1/connectors"
    )
