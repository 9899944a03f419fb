"""Skyfare's services as real processes for tests: `skyfare serve --service NAME --workers 1`,
`skyfare relay`, `skyfare worker` and `skyfare analytics`, started with asyncio (the test's own
event loop keeps serving the sim they call), each on a port of its own, in front of the test's
sim, PostgreSQL and Redis.

`service = await ServiceProcess.start("search", port, env)`; `service.terminate()` sends SIGTERM
(the process drains and exits); `await service.wait()` its exit code; `await service.stop()` both.
Every started process ends with `stop()` or `close()` (in a `finally`): they wait for its stdout
pipe's end too and close the pipe, which waiting for the exit alone does not (below).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Mapping

import msgspec

from tests.support.sim import SimHandle
from tests.support.tokens import sim_issuer

READY_TIMEOUT_S = 45.0
# The processes that are a command of their own, not `skyfare serve --service`.
_COMMANDS = ("relay", "worker", "analytics")
STOP_TIMEOUT_S = 40.0


def service_environment(
    database_url: str, redis_url: str, sim: SimHandle, **extra: str
) -> dict[str, str]:
    """What every service process of a test runs with: the test's stores and sim, patient store
    budgets and no traveler caps (as tests/e2e/conftest.py's `settings`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKYFARE_")}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SKYFARE_CONNECTORS=msgspec.json.encode(sim.connector_settings()).decode(),
        SKYFARE_JWT_ISSUER=sim_issuer(sim.url),
        SKYFARE_PAYMENT_GATEWAY_URL=f"{sim.url}/payments",
        SKYFARE_LOG_LEVEL="WARNING",
        SKYFARE_DB_TIMEOUT_S="30",
        SKYFARE_CACHE_REDIS_TIMEOUT_MS="2000",
        SKYFARE_RATE_LIMIT_TIMEOUT_MS="10000",
        SKYFARE_SEARCH_DEADLINE_MS="8000",
        SKYFARE_ORDER_MAX_OPEN_HOLDS="0",
        SKYFARE_ORDER_MAX_HELD_SEATS="0",
        SKYFARE_ORDER_MAX_HELD_SEATS_PER_FLIGHT="0",
        SKYFARE_TRAVELER_RATE_PER_S="10000",
        SKYFARE_TRAVELER_BURST="100000",
    )
    env.update(extra)
    return env


class ServiceProcess:
    """One `skyfare` process (a supervisor and its worker) started by a test."""

    def __init__(
        self,
        name: str,
        port: int,
        process: asyncio.subprocess.Process,
        transport: asyncio.SubprocessTransport,
    ) -> None:
        self.name = name
        self.port = port
        self.process = process
        self._transport = transport

    @classmethod
    async def start(
        cls,
        service: str,
        port: int,
        env: Mapping[str, str],
        *,
        wait_ready: bool = True,
        stderr: int | None = None,
    ) -> ServiceProcess:
        """`skyfare serve --service <service>` on `port` ("relay", "worker", "analytics": that
        command of its own, on the ports its settings in `env` say); returns once it printed its
        ready line (those three print none). `stderr=asyncio.subprocess.PIPE`: its log, in
        `process.stderr`, to read to the end before `close`."""
        served = service not in _COMMANDS
        command = ["serve", "--service", service, "--workers", "1"] if served else [service]
        # As asyncio.create_subprocess_exec, but keeping the transport: `close` closes it.
        loop = asyncio.get_running_loop()
        transport, protocol = await loop.subprocess_exec(
            lambda: asyncio.subprocess.SubprocessStreamProtocol(limit=2**16, loop=loop),
            sys.executable,
            "-m",
            "skyfare.cli",
            *command,
            env={**env, "SKYFARE_PORT": str(port)},
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
        )
        started = cls(
            service, port, asyncio.subprocess.Process(transport, protocol, loop), transport
        )
        if wait_ready and served:
            try:
                await started.ready()
            except BaseException:
                await started.close()  # not ready in time, or said something else: not left running
                raise
        return started

    async def ready(self) -> str:
        assert self.process.stdout is not None
        async with asyncio.timeout(READY_TIMEOUT_S):
            line = (await self.process.stdout.readline()).decode()
        assert f"ready on http://127.0.0.1:{self.port}" in line, (self.name, line)
        return line

    def terminate(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)

    async def wait(self, timeout_s: float = STOP_TIMEOUT_S) -> int:
        async with asyncio.timeout(timeout_s):
            return await self.process.wait()

    async def stop(self) -> int:
        """SIGTERM and wait for the exit code; SIGKILL if it does not exit in time. Closes the
        process's pipe (`close`)."""
        self.terminate()
        with contextlib.suppress(TimeoutError):
            await self.wait()
        await self.close()
        assert self.process.returncode is not None
        return self.process.returncode

    @property
    def closed(self) -> bool:
        """Whether the process's transport (and with it its stdout pipe) is closed."""
        return self._transport.is_closing()

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()

    async def close(self) -> None:
        """Nothing of the process left: SIGKILLed with its workers if it still runs, reaped, its
        stdout read to the end, and the pipe's transport closed.

        The exit alone is not the end: the pipe stays open while any process that inherited it
        lives on (the workers, draining after their supervisor died; multiprocessing's resource
        tracker, for a moment after the supervisor), and on Python 3.11 `Process.wait()` returns
        at once when the exit is already known, pipe open or not. A transport still open when
        the test's event loop closes is found by the garbage collector later, in whichever test
        it runs, as a ResourceWarning: an error under pytest's `filterwarnings = error`. Raises
        TimeoutError (after closing the transport) if the pipe stays open: a process outlived it.
        """
        if self.process.returncode is None:
            kill_hard(self)
        assert self.process.stdout is not None
        try:
            async with asyncio.timeout(STOP_TIMEOUT_S):
                await self.process.wait()
                await self.process.stdout.read()  # to the end: every writer has closed it
        finally:
            self._transport.close()


def worker_pids(parent: int) -> list[int]:
    """The worker processes a `skyfare serve` supervisor started (its direct children)."""
    path = f"/proc/{parent}/task/{parent}/children"
    try:
        with open(path) as children:
            return [int(pid) for pid in children.read().split()]
    except OSError:
        return []


def kill_hard(service: ServiceProcess) -> None:
    """SIGKILL the workers (what a crash or the OOM killer does: nothing drains), then their
    supervisor, whose death would otherwise SIGTERM them (a graceful stop)."""
    for pid in worker_pids(service.process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    service.kill()


async def served(port: int, route: str) -> bool:
    """Whether the process on `port` has answered a request of `route` (its own /metrics)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        text = (await reader.read()).decode()
    finally:
        writer.close()
    return f'route="{route}",status="2' in text
