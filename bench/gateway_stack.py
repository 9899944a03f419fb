"""The processes of the gateway bench (bench/gateway.py), each started as a deployment runs it:

- `skyfare sim` (the airlines, payment gateway, token issuer), every airline at a fixed latency;
- two `skyfare serve --service search --workers 1` and one `--service booking --workers 1`;
- two nginx gateways of deploy/nginx (skyfare/gateway.py), one in front of the first search
  process only, one in front of both, so both layouts are measured in turns in one run.

PostgreSQL and Redis: DATABASE_URL / REDIS_URL, else embedded ones under a temp dir. The anonymous
search limit is lifted (the bench is one client address), nothing else differs from production.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness_stack import send_json
from bench.machine import tree_cpu_seconds
from bench.processes import free_port
from skyfare.embedded import embedded_services
from skyfare.gateway import GatewayLayout, nginx_command, write_config
from skyfare.settings import load_settings

UNLIMITED = 1_000_000  # anonymous searches a second per address: the bench is one address
READY_S = 60.0


@dataclass
class GatewayBenchStack:
    env: dict[str, str]
    sim_url: str
    search_urls: list[str]
    booking_url: str
    gateway_urls: dict[int, str]  # by the number of search processes behind it
    pids: dict[str, int] = field(default_factory=dict)  # a name → its process tree's root

    def cpu(self, name: str) -> float:
        """CPU seconds the named process tree used so far (a search process, nginx, …)."""
        return tree_cpu_seconds(self.pids[name])


@contextmanager
def running(base_port: int | None, airline_latency_ms: float) -> Iterator[GatewayBenchStack]:
    ports = iter(range(base_port, base_port + 100)) if base_port else None

    def port() -> int:
        return next(ports) if ports else free_port()

    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="skyfare-gw-bench-") as tmp:
        settings = load_settings(data_dir=str(Path(tmp) / "data"))
        settings = stack.enter_context(embedded_services(settings))
        sim_port = port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SKYFARE_")}
        env.update(
            DATABASE_URL=settings.database_url or "",
            REDIS_URL=settings.redis_url or "",
            SKYFARE_DATA_DIR=settings.data_dir,
            SKYFARE_SIM_PORT=str(sim_port),
            SKYFARE_LOG_LEVEL="WARNING",
            # One bench client is every traveler: the per-traveler caps would measure themselves.
            SKYFARE_ORDER_MAX_OPEN_HOLDS="0",
            SKYFARE_ORDER_MAX_HELD_SEATS="0",
            SKYFARE_ORDER_MAX_HELD_SEATS_PER_FLIGHT="0",
            SKYFARE_TRAVELER_RATE_PER_S="100000",
            SKYFARE_TRAVELER_BURST="100000",
        )
        sim_url = f"http://127.0.0.1:{sim_port}"
        pids: dict[str, int] = {}
        pids["sim"] = _start(stack, ["sim"], env, f"{sim_url}/_sim/airlines")
        for slug in _airlines(sim_url):
            profile = {"latency_ms": airline_latency_ms, "latency_sigma": 0.0,
                       "error_rate": 0.0, "hang_rate": 0.0}  # fmt: skip
            send_json("PUT", f"{sim_url}/_sim/airlines/{slug}/profile", profile)
        subprocess.run(_skyfare("migrate"), env=env, check=True, stdin=subprocess.DEVNULL)
        services = {"search-1": port(), "search-2": port(), "booking": port()}
        for name, listen in services.items():
            command = ["serve", "--service", name.split("-")[0], "--workers", "1"]
            ready = f"http://127.0.0.1:{listen}/readyz"
            pids[name] = _start(stack, command, {**env, "SKYFARE_PORT": str(listen)}, ready)
        gateways: dict[int, str] = {}
        for count in (1, 2):
            layout = GatewayLayout(
                https_port=port(),
                http_port=port(),
                search_ports=(services["search-1"], services["search-2"])[:count],
                booking_port=services["booking"],
                booking_spare_port=port(),
                analytics_port=port(),  # no reports in the benchmarks: nginx's own 503
                search_rate_per_s=UNLIMITED,
                search_burst=UNLIMITED,
            )
            config = write_config(layout, Path(tmp) / f"gateway-{count}")
            gateways[count] = f"https://127.0.0.1:{layout.https_port}"
            pids[f"nginx-{count}"] = _start_nginx(stack, config, f"{gateways[count]}/healthz")
        yield GatewayBenchStack(
            env=env,
            sim_url=sim_url,
            search_urls=[f"http://127.0.0.1:{services[f'search-{n}']}" for n in (1, 2)],
            booking_url=f"http://127.0.0.1:{services['booking']}",
            gateway_urls=gateways,
            pids=pids,
        )


def _skyfare(*args: str) -> list[str]:
    return [sys.executable, "-m", "skyfare.cli", *args]


def _start(stack: ExitStack, args: list[str], env: Mapping[str, str], ready_url: str) -> int:
    proc = subprocess.Popen(
        _skyfare(*args), env=dict(env), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL
    )
    stack.callback(_stop, proc)
    _wait(ready_url, proc)
    return proc.pid


def _start_nginx(stack: ExitStack, config: Path, ready_url: str) -> int:
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        raise RuntimeError("nginx is not installed: make nginx")
    proc = subprocess.Popen(nginx_command(config), stdin=subprocess.DEVNULL)
    stack.callback(_stop, proc)
    _wait(ready_url, proc)
    return proc.pid


def _wait(url: str, proc: subprocess.Popen[bytes]) -> None:
    import ssl

    insecure = ssl.create_default_context()
    insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE  # the run's own cert
    deadline = time.monotonic() + READY_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2, context=insecure) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {READY_S:.0f} s")


def _airlines(sim_url: str) -> list[str]:
    import json

    with urllib.request.urlopen(f"{sim_url}/_sim/airlines", timeout=10) as answer:
        return [airline["slug"] for airline in json.load(answer)["airlines"]]


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
