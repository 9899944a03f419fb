"""/readyz while traffic holds every connection of the process's PostgreSQL (booking) or Redis
(search) pool: the store answers, so the process is ready. The check used to wait in the pool's
line behind the traffic, time out and report the store down, so a loaded but healthy process
looked unready exactly when it was busiest (skyfare/database_check.py, search_contexts.py)."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from pathlib import Path

import asyncpg
import msgspec
import pytest
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.keys import PG_POOL, REDIS
from skyfare.services import BOOKING, SEARCH
from skyfare.settings import Settings
from tests.e2e.conftest import closed_port
from tests.support.pgbouncer import PgBouncer, pgbouncer_binary

POOL_SIZE = 2
PROBLEM = "application/problem+json"
READY_ALIAS = "skyfare_ready"  # deploy/README.md's pgbouncer.ini names it so


class BusyBouncer(PgBouncer):
    """PgBouncer with POOL_SIZE server connections for the application's database (which other
    processes' transactions fill), and READY_ALIAS: the same database through a pool of its own,
    as deploy/README.md's pgbouncer.ini has it for /readyz."""

    def _config(self, host: str, port: int) -> str:
        database = self._upstream.path.lstrip("/") or "postgres"
        alias = f"{READY_ALIAS} = host={host} port={port} dbname={database} pool_size=1"
        return (
            super()
            ._config(host, port)
            .replace("[databases]\n", f"[databases]\n{alias}\n")
            .replace("default_pool_size = 10", f"default_pool_size = {POOL_SIZE}")
            .replace("max_db_connections = 10", f"max_db_connections = {POOL_SIZE}")
        )


async def test_readyz_is_ready_while_traffic_holds_every_pool_connection(
    settings: Settings,
) -> None:
    small = msgspec.structs.replace(settings, db_pool_max=POOL_SIZE)
    async with (
        TestClient(TestServer(create_app(small, BOOKING))) as client,
        AsyncExitStack() as held,
    ):
        pool = client.app[PG_POOL]
        for _ in range(POOL_SIZE):  # what requests in flight would hold
            await held.enter_async_context(pool.acquire())
        assert pool.get_idle_size() == 0
        assert pool.get_size() == pool.get_max_size()
        answers = [await client.get("/readyz") for _ in range(3)]  # its connection, reused
        bodies = [await answer.json() for answer in answers]
    assert [answer.status for answer in answers] == [200, 200, 200]
    assert bodies == [{"status": "ready", "checks": {"database": "ok"}}] * 3


async def test_readyz_says_the_database_is_down_on_its_own_connection_too(
    settings: Settings,
) -> None:
    down = msgspec.structs.replace(
        settings, database_url=f"postgresql://postgres@127.0.0.1:{closed_port()}/postgres"
    )
    async with TestClient(TestServer(create_app(down, BOOKING))) as client:
        answer = await client.get("/readyz")
        doc = await answer.json(content_type=PROBLEM)
    assert answer.status == 503
    assert doc["checks"] == {"database": "down"}


async def test_search_is_ready_while_traffic_holds_every_redis_connection(
    settings: Settings,
) -> None:
    small = msgspec.structs.replace(settings, redis_pool_max=POOL_SIZE)
    async with TestClient(TestServer(create_app(small, SEARCH))) as client:
        pool = client.app[REDIS].connection_pool
        held = [await pool.get_connection() for _ in range(POOL_SIZE)]  # commands in flight
        try:
            answers = [await client.get("/readyz") for _ in range(3)]
            bodies = [await answer.json() for answer in answers]
        finally:
            for connection in held:
                await pool.release(connection)
    assert [answer.status for answer in answers] == [200, 200, 200]
    assert bodies == [{"status": "ready", "checks": {"cache": "ok"}}] * 3


async def test_readyz_behind_a_busy_pgbouncer_asks_through_a_pool_of_its_own(
    settings: Settings, database_url: str, tmp_path: Path
) -> None:
    # Other processes' transactions hold every server connection PgBouncer has for the
    # application's database: a `SELECT 1` there waits in PgBouncer's queue, whichever client
    # connection it is sent on. The check used to, and read "database down".
    if pgbouncer_binary() is None:
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")
    bouncer = BusyBouncer(tmp_path)
    url = bouncer.start(database_url)
    behind = msgspec.structs.replace(
        settings, database_url=url, db_pooler="pgbouncer", db_check_database=READY_ALIAS
    )
    try:
        async with TestClient(TestServer(create_app(behind, BOOKING))) as client:
            others = [await asyncpg.connect(url, statement_cache_size=0) for _ in range(POOL_SIZE)]
            try:
                for other in others:  # a transaction holds its server connection until it ends
                    await other.execute("BEGIN")
                    await other.fetchval("SELECT 1")
                answers = [await client.get("/readyz") for _ in range(3)]
                bodies = [await answer.json() for answer in answers]
            finally:  # before the app stops: its own pool waits behind them too
                await asyncio.gather(*(other.close() for other in others))
    finally:
        bouncer.stop()
    assert [answer.status for answer in answers] == [200, 200, 200]
    assert bodies == [{"status": "ready", "checks": {"database": "ok"}}] * 3
