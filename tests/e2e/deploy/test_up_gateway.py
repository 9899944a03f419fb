"""`skyfare up --gateway` (`make run-gateway`) as a real process: nginx in front of two search
processes and one booking process answers over HTTPS with its development certificate, and
SIGTERM stops every process with exit code 0, nginx with its graceful quit."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from skyfare.gateway import GatewayError, nginx_binary
from skyfare.gateway_up import (
    BOOKING_OFFSET,
    BOOKING_SPARE_OFFSET,
    SEARCH_OFFSETS,
    gateway_layout,
)
from skyfare.settings import load_settings
from tests.e2e.conftest import closed_port
from tests.e2e.test_cli import _descendants, _still_alive_after

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


# The ports `skyfare up --gateway` derives from SKYFARE_PORT that cannot be named one by one: the
# search and booking processes' (skyfare/gateway_up.py).
SERVICE_OFFSETS = (*SEARCH_OFFSETS, BOOKING_OFFSET, BOOKING_SPARE_OFFSET)


def _port_with_free_neighbours() -> int:
    """A free port whose service ports (`SERVICE_OFFSETS` above it) are free too."""
    while True:
        port = closed_port()
        try:
            with contextlib.ExitStack() as held:
                for offset in SERVICE_OFFSETS:
                    sock = held.enter_context(socket.socket())
                    sock.bind(("127.0.0.1", port + offset))
        except OSError:
            continue
        return port


def _ports() -> dict[str, str]:
    """Every port `skyfare up --gateway` listens on, free: named, or checked as SKYFARE_PORT's
    neighbours. Left to their defaults, the relay's /metrics and the analytics process take
    SKYFARE_PORT + 2 and + 3, which nothing checked: the analytics one was added after the
    offsets were listed here."""
    return {
        "SKYFARE_PORT": str(_port_with_free_neighbours()),
        "SKYFARE_GATEWAY_PORT": str(closed_port()),
        "SKYFARE_SIM_PORT": str(closed_port()),
        "SKYFARE_SIM_SMTP_PORT": str(closed_port()),
        "SKYFARE_NOTIFY_METRICS_PORT": str(closed_port()),
        "SKYFARE_RELAY_METRICS_PORT": str(closed_port()),
        "SKYFARE_ANALYTICS_PORT": str(closed_port()),
    }


def test_every_port_up_with_the_gateway_listens_on_is_one_the_test_found_free() -> None:
    ports = _ports()
    settings = load_settings(ports)
    layout = gateway_layout(settings)
    listening = {
        layout.https_port,
        layout.http_port,
        *layout.search_ports,
        layout.booking_port,
        layout.booking_spare_port,
        layout.analytics_port,
        settings.relay_metrics_listen_port,
        settings.notify_metrics_listen_port,
        settings.sim_port,
        settings.sim_smtp_listen_port,
    }
    found_free = {int(port) for port in ports.values()}
    found_free |= {settings.port + offset for offset in SERVICE_OFFSETS}
    assert listening <= found_free, sorted(port - settings.port for port in listening - found_free)


def test_up_with_the_gateway_serves_searches_over_https_and_stops_cleanly(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    try:
        nginx_binary()
    except GatewayError as exc:
        pytest.skip(str(exc))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKYFARE_")}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        **_ports(),
        SKYFARE_DATA_DIR=str(tmp_path / "data"),
        SKYFARE_LOG_LEVEL="INFO",  # the drain lines
    )
    log = tmp_path / "skyfare.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "skyfare.cli", "up", "--gateway"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    try:
        assert process.stdout is not None
        ready = process.stdout.readline()
        base = f"https://127.0.0.1:{env['SKYFARE_GATEWAY_PORT']}"
        expected = f"Skyfare ready behind the gateway on {base} (2 search, 1 booking)"
        assert ready.startswith(expected), log.read_text()[-3000:]
        cert = tmp_path / "data" / "gateway" / "gateway.crt"
        assert f"--cacert {cert}" in ready
        date = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()
        url = f"{base}/v1/search?origin=LHR&destination=JFK&departure_date={date}"
        context = ssl.create_default_context(cafile=str(cert))
        with urllib.request.urlopen(url, timeout=20, context=context) as response:
            body = json.loads(response.read())
        children = _descendants(process.pid)  # the sim, the services, relay, worker, nginx
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=45)
        left = _still_alive_after(children, seconds=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()
    assert body["offers"]
    assert code == 0
    assert not left
    # nginx drains as the services do, and says so in the same stream (skyfare/nginx_relay.py).
    logged = log.read_text()
    for line in ("nginx: SIGTERM received: draining", "gracefully shutting down",
                 "nginx: drained: stopping"):  # fmt: skip
        assert line in logged, logged[-3000:]
