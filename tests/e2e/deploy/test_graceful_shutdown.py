"""SIGTERM to a real `skyfare serve --service search` process: it stops accepting, lets the
request in flight finish (bounded by SKYFARE_SHUTDOWN_TIMEOUT_S), closes its pools, exits 0.
And a worker whose supervisor is killed drains the same way, holding the process's stdout pipe
until it exits: what tests/support/services.py's `stop` waits for before closing the pipe."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator

import aiohttp
import msgspec
import pytest

from tests.e2e.conftest import closed_port
from tests.support.booking import in_days
from tests.support.payment_sim import eventually
from tests.support.services import ServiceProcess, service_environment
from tests.support.sim import SimHandle, fast_profiles, running_sim

pytestmark = pytest.mark.slow

SLOW_AIRLINE = "britannia"
_TIMEOUT = aiohttp.ClientTimeout(total=60)


@pytest.fixture
async def sim() -> AsyncIterator[SimHandle]:
    async with running_sim(profiles=fast_profiles()) as sim:
        yield sim


def _one_airline(sim: SimHandle) -> str:
    """SKYFARE_CONNECTORS with the slow airline only: the search waits for it alone."""
    return msgspec.json.encode(
        [c for c in sim.connector_settings() if c.name == f"rest-{SLOW_AIRLINE}"]
    ).decode()


async def _calls(sim: SimHandle) -> int:
    return sum((await sim.stats())[SLOW_AIRLINE].values())


async def _refused(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except (ConnectionRefusedError, ConnectionResetError):
        # Reset: the connection reached the backlog of a listener that closed before accepting
        # it (seen on a busy machine); refused, or reset, nobody is accepting any more.
        return True
    writer.close()
    return False


async def _search_in_flight(
    session: aiohttp.ClientSession, sim: SimHandle, port: int
) -> asyncio.Task[tuple[int, dict[str, object]]]:
    """A live search sent, and asked of the airline (which is still answering it)."""
    calls = await _calls(sim)
    url = f"http://127.0.0.1:{port}/v1/search"
    query = {"origin": "LHR", "destination": "JFK", "departure_date": in_days(40)}
    params = {**query, "cache": "false"}  # deadline: SKYFARE_SEARCH_DEADLINE_MS, 8 s

    async def search() -> tuple[int, dict[str, object]]:
        async with session.get(url, params=params) as response:
            return response.status, await response.json()

    task = asyncio.create_task(search())
    await eventually(lambda: _calls(sim), lambda n: n > calls)
    return task


async def test_sigterm_finishes_the_search_in_flight_refuses_new_ones_and_exits_0(
    database_url: str, redis_url: str, sim: SimHandle
) -> None:
    port = closed_port()
    env = service_environment(database_url, redis_url, sim, SKYFARE_CONNECTORS=_one_airline(sim))
    service = await ServiceProcess.start("search", port, env)
    try:
        # Slow enough that SIGTERM surely arrives while the airline is still answering.
        await sim.set_profile(SLOW_AIRLINE, latency_ms=3000, latency_sigma=0)
        async with aiohttp.ClientSession(timeout=_TIMEOUT) as session:
            in_flight = await _search_in_flight(session, sim, port)
            service.terminate()
            await eventually(lambda: _refused(port), bool)  # no longer accepting
            status, body = await in_flight
        code = await service.wait()
    finally:
        await service.close()
    assert status == 200
    assert body["offers"]  # the airline's answer, not a cut-short search
    assert code == 0


async def _started_with_a_hanging_search(
    database_url: str, redis_url: str, sim: SimHandle, *, shutdown_timeout_s: float
) -> tuple[ServiceProcess, asyncio.StreamReader, asyncio.StreamWriter]:
    """A search process whose one airline never answers, with a search in flight at it (which
    would run to its 8 s deadline); the caller closes the process."""
    port = closed_port()
    env = service_environment(
        database_url,
        redis_url,
        sim,
        SKYFARE_CONNECTORS=_one_airline(sim),
        SKYFARE_SHUTDOWN_TIMEOUT_S=str(shutdown_timeout_s),
    )
    service = await ServiceProcess.start("search", port, env)
    try:
        await sim.set_profile(SLOW_AIRLINE, hang_rate=1)
        calls = await _calls(sim)
        # By hand: aiohttp's client would send the search again on a new connection.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        path = f"/v1/search?origin=LHR&destination=JFK&departure_date={in_days(40)}&cache=false"
        writer.write(f"GET {path} HTTP/1.1\r\nHost: skyfare\r\n\r\n".encode())
        await eventually(lambda: _calls(sim), lambda n: n > calls)
    except BaseException:
        await service.close()
        raise
    return service, reader, writer


async def test_sigterm_cancels_what_is_still_in_flight_after_the_shutdown_timeout(
    database_url: str, redis_url: str, sim: SimHandle
) -> None:
    service, reader, writer = await _started_with_a_hanging_search(
        database_url, redis_url, sim, shutdown_timeout_s=0.5
    )
    try:
        service.terminate()
        async with asyncio.timeout(30):
            answer = await reader.read()  # until the server closes the connection
        code = await service.wait()
    finally:
        writer.close()
        await service.close()
    assert answer == b""  # cut at the shutdown timeout, unanswered, long before the deadline
    assert code == 0


async def test_sigterm_is_logged_by_each_process_as_it_begins_draining_and_when_done(
    database_url: str, redis_url: str, sim: SimHandle
) -> None:
    env = service_environment(database_url, redis_url, sim, SKYFARE_LOG_LEVEL="INFO")
    service = await ServiceProcess.start(
        "search", closed_port(), env, stderr=asyncio.subprocess.PIPE
    )
    try:
        service.terminate()
        assert service.process.stderr is not None
        async with asyncio.timeout(60):
            log = (await service.process.stderr.read()).decode()
        code = await service.wait()
    finally:
        await service.close()
    stopping = [line.split(" INFO ", 1)[1] for line in log.splitlines() if " INFO skyfare." in line]
    stopping = [line for line in stopping if "stop" in line or "drain" in line]
    assert [line.split(" ", 3)[3] for line in stopping] == [
        "supervisor: stopping api-worker-0",
        "api-worker-0: SIGTERM received: draining",
        "api-worker-0: drained: stopping",
        "supervisor: stopped",
    ], log
    assert code == 0


async def test_a_worker_outliving_its_killed_supervisor_holds_the_pipe_stop_waits_for_and_closes(
    database_url: str, redis_url: str, sim: SimHandle
) -> None:
    service, reader, writer = await _started_with_a_hanging_search(
        database_url, redis_url, sim, shutdown_timeout_s=3
    )
    try:
        # The supervisor alone: its worker, sent SIGTERM by the kernel (PR_SET_PDEATHSIG),
        # drains the hanging search for the 3 s shutdown timeout, with the pipe still open.
        service.kill()
        await eventually(lambda: _returncode(service), lambda code: code is not None)
        code = await service.stop()
        assert service.process.stdout is not None
        pipe_ended = service.process.stdout.at_eof()
        async with asyncio.timeout(30):
            answer = await reader.read()  # the worker is gone: its connection closed
    finally:
        writer.close()
        await service.close()
    assert code == -signal.SIGKILL
    assert pipe_ended  # stop returned after the worker closed the pipe, not at its parent's exit
    assert service.closed
    assert answer == b""


async def _returncode(service: ServiceProcess) -> int | None:
    return service.process.returncode
