"""tests/support/services.py's `ServiceProcess.start` waits for a real `skyfare serve` as long as
the test can, and no longer than the process lives.

It gave every start a fixed 45 s and read the ready line alone: a start on a loaded machine (a
load of 15: ~52 s) failed a test that could still have waited, and a process that died was
reported as `('search', '')`, without a word of what it said. Now a process that exits is
reported at once with its exit code and its log, and a slow start that is alive is waited for
until the test's own timeout is near.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from skyfare.migrations import ADVISORY_LOCK_KEY
from tests.e2e.conftest import closed_port
from tests.support.database import migrated_pool
from tests.support.notify import eventually
from tests.support.services import (
    READY_MARGIN_S,
    UNTIMED_READY_S,
    ServiceProcess,
    StartFailed,
    ready_limit_s,
    service_environment,
)
from tests.support.sim import SimHandle

# A start that waits on PostgreSQL's advisory lock for migrations, as `skyfare serve` does
# behind another process's long migration.
_WAITING_FOR_THE_LOCK = """
SELECT count(*) FROM pg_locks
WHERE locktype = 'advisory' AND NOT granted
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND (classid::bigint << 32) | objid::bigint = $1
"""


@pytest.fixture
async def schema_url(database_url: str) -> AsyncIterator[tuple[str, asyncpg.Pool]]:
    """A migrated schema of the test's own, as a DSN a process connects to, and its pool."""
    async with migrated_pool(database_url, prefix="starts") as pool:
        schema = await pool.fetchval("SELECT current_schema()")
        separator = "&" if "?" in database_url else "?"
        # asyncpg passes unknown DSN parameters on as server settings.
        yield f"{database_url}{separator}search_path={schema}", pool


@pytest.mark.slow
async def test_a_service_that_exits_before_it_is_ready_is_reported_at_once_with_its_log(
    database_url: str, redis_url: str, sim: SimHandle
) -> None:
    env = service_environment(database_url, redis_url, sim, SKYFARE_SEARCH_DEADLINE_MS="soon")

    with pytest.raises(StartFailed) as failed:
        await ServiceProcess.start("search", closed_port(), env)

    said = str(failed.value)
    # Its exit, not a limit reached: the start failed as the process ended.
    assert "search exited before its ready line (exit code 2)" in said, said
    assert "SKYFARE_SEARCH_DEADLINE_MS" in said, said  # its log, naming the bad setting


@pytest.mark.slow
async def test_a_slow_start_that_is_alive_is_waited_for_until_it_is_ready(
    schema_url: tuple[str, asyncpg.Pool], redis_url: str, sim: SimHandle
) -> None:
    url, pool = schema_url
    env = service_environment(url, redis_url, sim)
    service: ServiceProcess | None = None
    ready: asyncio.Future[str] | None = None

    async def waiting() -> bool:
        return bool(await pool.fetchval(_WAITING_FOR_THE_LOCK, ADVISORY_LOCK_KEY))

    try:
        async with pool.acquire() as holder, holder.transaction():
            # Booking migrates before its workers start: held up here, as by a long migration.
            await holder.execute("SELECT pg_advisory_xact_lock($1)", ADVISORY_LOCK_KEY)
            service = await ServiceProcess.start("booking", closed_port(), env, wait_ready=False)
            ready = asyncio.ensure_future(service.ready())
            await eventually(waiting, every_s=0.05)
            assert not ready.done()  # alive and not ready: still waited for
        line = await ready  # the lock went with the transaction: the start goes on
        assert f"ready on http://127.0.0.1:{service.port}" in line
    finally:
        if ready is not None:
            ready.cancel()
        if service is not None:
            assert await service.stop() == 0


@pytest.mark.slow
@pytest.mark.timeout(20)  # what the start may take: the test's timeout less READY_MARGIN_S
async def test_a_start_that_never_ends_is_given_up_before_the_test_s_timeout_and_stopped(
    schema_url: tuple[str, asyncpg.Pool], redis_url: str, sim: SimHandle
) -> None:
    url, pool = schema_url
    env = service_environment(url, redis_url, sim)

    async with pool.acquire() as holder, holder.transaction():
        await holder.execute("SELECT pg_advisory_xact_lock($1)", ADVISORY_LOCK_KEY)
        with pytest.raises(StartFailed) as failed:  # the lock is held until it gives up
            await ServiceProcess.start("booking", closed_port(), env)  # and kills it (`close`)

    # Given up by the helper, saying so, rather than by pytest-timeout with a stack dump.
    assert "booking was not ready after" in str(failed.value)
    assert "still running (exit code None)" in str(failed.value)


@pytest.mark.timeout(600)
def test_a_start_may_take_as_long_as_the_test_s_own_timeout_allows() -> None:
    # Far past the 45 s once given to every start, and short of the test's 600 s.
    assert 300 < ready_limit_s() <= 600 - READY_MARGIN_S


@pytest.mark.timeout(0)
def test_a_start_in_a_test_without_a_timeout_is_given_a_bound_of_its_own() -> None:
    assert ready_limit_s() == UNTIMED_READY_S
