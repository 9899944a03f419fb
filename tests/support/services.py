"""Skyfare's services as real processes for tests: `skyfare serve --service NAME --workers 1`,
`skyfare relay`, `skyfare worker` and `skyfare analytics`, started with asyncio (the test's own
event loop keeps serving the sim they call), each on a port of its own, in front of the test's
sim, PostgreSQL and Redis.

`service = await ServiceProcess.start("search", port, env)`; `service.terminate()` sends SIGTERM
(the process drains and exits); `await service.wait()` its exit code; `await service.stop()` both.
Every started process ends with `stop()` or `close()` (in a `finally`): they wait for its stdout
pipe's end too and close the pipe, which waiting for the exit alone does not (below).

A start is waited for as long as the running test can wait (`ready_limit_s`), and no longer than
the process lives: one that exits before its ready line fails the start at once, the failure
(`StartFailed`) carrying what the process wrote. Its log (stderr, unless the test asks for a
pipe) goes to a file, copied to the test's own stderr when the process is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import tempfile
from collections.abc import Mapping
from typing import IO

import msgspec

from tests.support import deadline
from tests.support.sim import SimHandle
from tests.support.tokens import sim_issuer

# Left of the running test's timeout when a start is given up: time to kill and reap the process
# (`close`) and say why, before pytest-timeout would fail the test with a stack dump.
READY_MARGIN_S = 5.0
# How long a start is waited for where no test timeout runs (`--timeout 0`, outside pytest).
UNTIMED_READY_S = 300.0
# How much of the process's log a failed start quotes, and how long it waits for the rest of its
# stdout (a process that exited has written it; a worker that outlived it may hold the pipe).
_QUOTED_CHARS = 4000
_OUTPUT_WAIT_S = 2.0
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
        SKYFARE_READY_TIMEOUT_MS="10000",
        SKYFARE_SEARCH_DEADLINE_MS="8000",
        SKYFARE_ORDER_MAX_OPEN_HOLDS="0",
        SKYFARE_ORDER_MAX_HELD_SEATS="0",
        SKYFARE_ORDER_MAX_HELD_SEATS_PER_FLIGHT="0",
        SKYFARE_TRAVELER_RATE_PER_S="10000",
        SKYFARE_TRAVELER_BURST="100000",
    )
    env.update(extra)
    return env


class StartFailed(AssertionError):
    """A service process exited before it was ready, printed something else than its ready
    line, or was not ready by the time the running test had to give up on it."""


def ready_limit_s() -> float:
    """How long `ServiceProcess.ready` waits for the ready line: until `READY_MARGIN_S` before
    the running test's timeout (tests/support/deadline.py), `UNTIMED_READY_S` without one."""
    remaining = deadline.remaining_s()
    return UNTIMED_READY_S if remaining is None else max(remaining - READY_MARGIN_S, 0.0)


class _Protocol(asyncio.subprocess.SubprocessStreamProtocol):
    """asyncio's, with an event set as soon as the process exits: its stdout ends only when
    every process holding the pipe closed it (a worker that outlives its supervisor), and on
    Python 3.12 `Process.wait()` waits for that end too."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(limit=2**16, loop=loop)
        self.exited = asyncio.Event()

    def process_exited(self) -> None:
        super().process_exited()
        self.exited.set()


class ServiceProcess:
    """One `skyfare` process (a supervisor and its worker) started by a test."""

    def __init__(
        self,
        name: str,
        port: int,
        process: asyncio.subprocess.Process,
        transport: asyncio.SubprocessTransport,
        protocol: _Protocol,
        log: IO[bytes] | None = None,
    ) -> None:
        self.name = name
        self.port = port
        self.process = process
        self._transport = transport
        self._protocol = protocol
        self._log = log

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
        ready line (those three print none; `ready`). `stderr=asyncio.subprocess.PIPE`: its
        log, in `process.stderr`, to read to the end before `close`."""
        served = service not in _COMMANDS
        command = ["serve", "--service", service, "--workers", "1"] if served else [service]
        # A file, not the test's stderr: a failed start quotes it. Never a pipe nobody reads,
        # which would block the process once full. It lives as long as the process: `close`.
        log = tempfile.TemporaryFile() if stderr is None else None  # noqa: SIM115
        # As asyncio.create_subprocess_exec, but keeping the transport: `close` closes it.
        loop = asyncio.get_running_loop()
        try:
            transport, protocol = await loop.subprocess_exec(
                lambda: _Protocol(loop),
                sys.executable,
                "-m",
                "skyfare.cli",
                *command,
                env={**env, "SKYFARE_PORT": str(port)},
                stdout=asyncio.subprocess.PIPE,
                stderr=log if log is not None else stderr,
            )
        except BaseException:
            if log is not None:
                log.close()
            raise
        process = asyncio.subprocess.Process(transport, protocol, loop)
        started = cls(service, port, process, transport, protocol, log)
        if wait_ready and served:
            try:
                await started.ready()
            except BaseException:
                await started.close()  # not ready in time, or said something else: not left running
                raise
        return started

    async def ready(self) -> str:
        """Its ready line, once printed. StartFailed, quoting what the process wrote, as soon
        as it exits (or ends its stdout) without one, when it prints something else, or at
        `ready_limit_s()`: near the running test's own timeout, for a loaded machine starts
        slowly and no fixed guess fits (a start took 52 s at a load of 15)."""
        assert self.process.stdout is not None
        limit_s = ready_limit_s()
        reading = asyncio.ensure_future(self.process.stdout.readline())
        exiting = asyncio.ensure_future(self._protocol.exited.wait())
        try:
            await asyncio.wait(
                (reading, exiting), timeout=limit_s, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            exiting.cancel()
            if not reading.done():
                reading.cancel()
        if reading.done() and not reading.cancelled():
            line = reading.result().decode()
            if f"ready on http://127.0.0.1:{self.port}" in line:
                return line
            if line:
                raise StartFailed(await self._said(f"printed {line!r}, not its ready line"))
            # The end of its stdout: it is exiting, and its exit may be seen a moment later.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._protocol.exited.wait(), _OUTPUT_WAIT_S)
        if self._protocol.exited.is_set():
            raise StartFailed(await self._said("exited before its ready line"))
        if reading.done() and not reading.cancelled():
            raise StartFailed(await self._said("ended its stdout without a ready line"))
        raise StartFailed(
            await self._said(
                f"was not ready after {limit_s:.0f} s (the test's timeout less "
                f"{READY_MARGIN_S:g} s), still running"
            )
        )

    async def _said(self, what: str) -> str:
        """`what` happened, with the exit code and what the process wrote: the rest of its
        stdout and the end of its log."""
        assert self.process.stdout is not None
        out = b""
        if self._protocol.exited.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(_OUTPUT_WAIT_S):
                    out = await self.process.stdout.read()
        parts = [f"{self.name} {what} (exit code {self._transport.get_returncode()})"]
        if out:
            parts.append(f"its stdout:\n{out.decode(errors='replace')}")
        log = self._log_text()
        if log:
            parts.append(f"the end of its log:\n{log[-_QUOTED_CHARS:]}")
        return "\n".join(parts)

    def _log_text(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

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
            if self._log is not None:  # its log, where the test's own output is reported
                sys.stderr.write(self._log_text())
                self._log.close()
                self._log = None


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
    # Each documented status's series exists from the start at 0 (skyfare/metrics.py): served
    # is a 2xx count above 0, not a series that exists.
    return any(
        line.startswith("skyfare_http_requests_total{")
        and f'route="{route}"' in line
        and 'status="2' in line
        and float(line.rsplit(" ", 1)[1]) > 0
        for line in text.splitlines()
    )
