"""The nginx gateway of deploy/nginx in front of real Skyfare service processes, for tests:

    async with gateway_stack(database_url, redis_url, tmp_path) as stack:
        async with stack.session() as session:        # trusts the run's dev certificate
            await session.get(stack.url("/v1/search"), params=...)

Two `search` processes and one `booking` process (`skyfare serve --service ...`), the sim in the
test's event loop (airlines, payment gateway delivering its webhooks through the gateway's plain
HTTP port, token issuer), and nginx itself, each on a free port.
"""

from __future__ import annotations

import asyncio
import signal
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from skyfare.gateway import GatewayError, GatewayLayout, nginx_binary, nginx_command, write_config
from skyfare.migrations import migrate
from tests.e2e.conftest import closed_port
from tests.support.payment_sim import PaymentsSimControl, payments_control
from tests.support.services import ServiceProcess, service_environment
from tests.support.sim import SimHandle, fast_profiles, running_sim

START_TIMEOUT_S = 20.0
FAST_WEBHOOKS = {"retry_base_ms": 10, "retry_max_ms": 200, "timeout_ms": 5000}
# Anonymous searches per second (and burst) per client address: above what the load of the
# tests sends from 127.0.0.1, far below a flood.
SEARCH_RATE = 50
SEARCH_BURST = 100


class GatewayStack:
    def __init__(
        self,
        sim: SimHandle,
        payments: PaymentsSimControl,
        env: dict[str, str],
        layout: GatewayLayout,
        directory: Path,
    ) -> None:
        self.sim = sim
        self.payments = payments
        self.env = env
        self.layout = layout
        self.directory = directory
        self.processes: dict[int, ServiceProcess] = {}  # by port
        self.ssl = ssl.create_default_context(cafile=str(directory / "gateway.crt"))

    def url(self, path: str) -> str:
        return f"https://127.0.0.1:{self.layout.https_port}{path}"

    def http_url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.layout.http_port}{path}"

    def session(self, **options: object) -> aiohttp.ClientSession:
        timeout = aiohttp.ClientTimeout(total=30)
        connector = aiohttp.TCPConnector(ssl=self.ssl, **options)  # type: ignore[arg-type]
        return aiohttp.ClientSession(timeout=timeout, connector=connector)

    async def start(self, service: str, port: int) -> ServiceProcess:
        process = await ServiceProcess.start(service, port, self.env)
        self.processes[port] = process
        return process

    async def restart(self, port: int) -> ServiceProcess:
        """SIGTERM the process on `port`, check it drained and exited 0, start a new one there."""
        old = self.processes[port]
        assert await old.stop() == 0, f"{old.name} on {port} did not exit 0"
        return await self.start(old.name, port)

    def error_log(self) -> str:
        return _error_log(self.directory)


async def gateway_prerequisites(database_url: str) -> None:
    """nginx installed (else the test is skipped) and the database migrated."""
    try:
        nginx_binary()
    except GatewayError as exc:  # `make test` installs it where it can (apt-get, as root)
        pytest.skip(str(exc))
    async with asyncpg.create_pool(database_url, min_size=0, max_size=1) as pool:
        await migrate(pool, timeout=30)


def gateway_layout(
    *, search_ports: tuple[int, ...], booking_port: int, analytics_port: int | None = None
) -> GatewayLayout:
    """The tests' gateway on free ports in front of these service ports, with the tests' limits
    (no analytics process: a free port, where nginx answers its 503)."""
    return GatewayLayout(
        https_port=closed_port(),
        http_port=closed_port(),
        search_ports=search_ports,
        booking_port=booking_port,
        booking_spare_port=closed_port(),
        analytics_port=analytics_port or closed_port(),
        search_rate_per_s=SEARCH_RATE,
        search_burst=SEARCH_BURST,
        fail_timeout_s=2,
        workers="1",
    )


@asynccontextmanager
async def gateway_world(
    layout: GatewayLayout,
) -> AsyncIterator[tuple[SimHandle, PaymentsSimControl]]:
    """The sim in this event loop, its payment gateway delivering webhooks through the gateway's
    plain HTTP port, quickly."""
    async with (
        running_sim(profiles=fast_profiles()) as sim,
        payments_control(sim.url) as payments,
    ):
        await payments.configure_webhook(
            url=f"http://127.0.0.1:{layout.http_port}/v1/payments/webhook", **FAST_WEBHOOKS
        )
        await payments.set_timing(settle_ms=5, slow_ms=300)
        yield sim, payments


@asynccontextmanager
async def gateway_stack(
    database_url: str, redis_url: str, directory: Path, *, search: int = 2
) -> AsyncIterator[GatewayStack]:
    await gateway_prerequisites(database_url)
    layout = gateway_layout(
        search_ports=tuple(closed_port() for _ in range(search)), booking_port=closed_port()
    )
    config = write_config(layout, directory)
    async with gateway_world(layout) as (sim, payments):
        stack = GatewayStack(
            sim, payments, service_environment(database_url, redis_url, sim), layout, directory
        )
        try:
            # Every start runs to its end before one's failure is raised: a start still running
            # when `finally` stops the started ones would leave its process behind.
            started = await asyncio.gather(
                *(stack.start("search", port) for port in layout.search_ports),
                stack.start("booking", layout.booking_port),
                return_exceptions=True,
            )
            for outcome in started:
                if isinstance(outcome, BaseException):
                    raise outcome
            async with running_nginx(config):
                yield stack
        finally:
            # SIGTERM to all first, so that they drain side by side; then each one stopped
            # (SIGKILLed if it does not exit in time) and its pipe closed, all of them even if
            # one fails.
            for process in stack.processes.values():
                process.terminate()
            stopped = await asyncio.gather(
                *(process.stop() for process in stack.processes.values()), return_exceptions=True
            )
            for error in stopped:
                if isinstance(error, BaseException):
                    raise error


@asynccontextmanager
async def running_nginx(config: Path) -> AsyncIterator[None]:
    """nginx with `config` until the block ends; ready once its pid file names it.

    nginx writes its pid file (`pid` in deploy/nginx) only after it bound every `listen` socket,
    the HTTPS port and the plain HTTP one the webhooks come to, and it exits when one is taken.
    "Something accepts on the HTTPS port" was no sign of that: another process's listener there
    answered while this nginx failed to bind, retried and exited, and the tests went on against
    a server that was not theirs, or none."""
    process = await asyncio.create_subprocess_exec(*nginx_command(config))
    directory = config.parent
    try:
        async with asyncio.timeout(START_TIMEOUT_S):
            while not _pid_file_names(directory / "nginx.pid", process.pid):
                assert process.returncode is None, f"nginx exited: {_error_log(directory)}"
                await asyncio.sleep(0.02)
        yield
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(10):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()


def _pid_file_names(path: Path, pid: int) -> bool:
    """Whether the pid file at `path` holds `pid` (written whole: nginx writes it in one go; a
    file left by an nginx killed before names another process)."""
    try:
        return path.read_text().strip() == str(pid)
    except FileNotFoundError:
        return False


def _error_log(directory: Path) -> str:
    path = directory / "error.log"
    return path.read_text() if path.exists() else ""


async def accepts(port: int) -> bool:
    """Something listens on `port` (127.0.0.1)."""
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True
